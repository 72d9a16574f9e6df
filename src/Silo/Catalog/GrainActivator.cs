using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using OrleansVoucher.Silo.Storage;

namespace OrleansVoucher.Silo.Catalog;

/// <summary>
/// Constructs grain instances. A grain class has one public constructor; its parameters are services
/// from the container, except those marked <see cref="PersistentStateAttribute"/>, which receive the
/// activation's persistent states. The constructor call is compiled once per class.
/// </summary>
internal sealed class GrainActivator(IServiceProvider services)
{
    private delegate object ParameterFactory(IServiceProvider services, ActivationData activation);

    private readonly ConcurrentDictionary<Type, Func<IServiceProvider, ActivationData, Grain>> _factories = new();

    public Grain CreateInstance(ActivationData activation)
    {
        var factory = _factories.GetOrAdd(activation.GrainId.Type.GrainClass, Compile);
        return factory(services, activation);
    }

    private static Func<IServiceProvider, ActivationData, Grain> Compile(Type grainClass)
    {
        var constructors = grainClass.GetConstructors();
        if (constructors.Length != 1)
        {
            throw new InvalidOperationException($"Grain class {grainClass} must have exactly one public constructor.");
        }

        var constructor = constructors[0];
        var servicesParameter = Expression.Parameter(typeof(IServiceProvider), "services");
        var activationParameter = Expression.Parameter(typeof(ActivationData), "activation");
        var arguments = constructor.GetParameters().Select(parameter =>
        {
            var factory = ParameterFactoryFor(grainClass, parameter);
            return Expression.Convert(
                Expression.Invoke(Expression.Constant(factory), servicesParameter, activationParameter),
                parameter.ParameterType);
        });
        var body = Expression.Convert(Expression.New(constructor, arguments), typeof(Grain));
        return Expression.Lambda<Func<IServiceProvider, ActivationData, Grain>>(body, servicesParameter, activationParameter).Compile();
    }

    private static ParameterFactory ParameterFactoryFor(Type grainClass, ParameterInfo parameter)
    {
        var attribute = parameter.GetCustomAttribute<PersistentStateAttribute>();
        if (attribute is null)
        {
            var serviceType = parameter.ParameterType;
            if (parameter.GetCustomAttribute<FromKeyedServicesAttribute>() is { Key: { } serviceKey })
            {
                return (sp, _) => sp.GetRequiredKeyedService(serviceType, serviceKey);
            }

            return (sp, _) => sp.GetRequiredService(serviceType);
        }

        var type = parameter.ParameterType;
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(IPersistentState<>))
        {
            throw new InvalidOperationException($"Parameter '{parameter.Name}' of {grainClass} is marked [PersistentState] but is not an IPersistentState<T>.");
        }

        var stateType = type.GetGenericArguments()[0];
        var create = typeof(GrainActivator).GetMethod(nameof(CreateState), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(stateType);
        var stateName = attribute.StateName;
        var storageName = attribute.StorageName;
        var typed = create.CreateDelegate<Func<IServiceProvider, ActivationData, string, string, object>>();
        return (sp, activation) => typed(sp, activation, stateName, storageName);
    }

    private static object CreateState<TState>(IServiceProvider services, ActivationData activation, string stateName, string storageName)
        where TState : class, new()
    {
        var storage = services.GetKeyedService<IGrainStorage>(storageName)
            ?? throw new InvalidOperationException($"No grain storage named '{storageName}' is registered.");
        var key = new GrainStateKey(activation.GrainId.Type.Name, stateName, activation.GrainId.Key);
        var state = new PersistentState<TState>(activation, key, storage, services.GetRequiredService<IGrainStateSerializer>());
        activation.AddLifecycleParticipant(state);
        return state;
    }
}

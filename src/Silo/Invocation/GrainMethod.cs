using System.Linq.Expressions;
using System.Reflection;
using OrleansVoucher.Silo.Catalog;

namespace OrleansVoucher.Silo.Invocation;

/// <summary>
/// One method of a grain interface, compiled once: a delegate that calls it on a grain instance, and the
/// shape of its result (<see cref="Task"/>, <see cref="Task{TResult}"/>, <see cref="ValueTask"/> or
/// <see cref="ValueTask{TResult}"/>) so that a reference can hand back exactly the type the caller awaits.
/// </summary>
internal abstract class GrainMethod(string name)
{
    public string Name { get; } = name;

    /// <summary>Delivers the call to the reference's activation and returns the proxied method's result.</summary>
    public abstract object Invoke(ActivationData activation, object?[] arguments);

    public static GrainMethod Create(MethodInfo method)
    {
        var name = $"{method.DeclaringType!.Name}.{method.Name}";
        var returnType = method.ReturnType;
        if (returnType == typeof(Task))
        {
            return new TaskMethod(name, CompileInvoker<Task>(method, asTask: false));
        }

        if (returnType == typeof(ValueTask))
        {
            return new ValueTaskMethod(name, CompileInvoker<Task>(method, asTask: true));
        }

        if (returnType.IsGenericType)
        {
            var definition = returnType.GetGenericTypeDefinition();
            var result = returnType.GetGenericArguments()[0];
            if (definition == typeof(Task<>))
            {
                return (GrainMethod)typeof(GrainMethod).GetMethod(nameof(CreateTaskOf), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(result).Invoke(null, [name, method])!;
            }

            if (definition == typeof(ValueTask<>))
            {
                return (GrainMethod)typeof(GrainMethod).GetMethod(nameof(CreateValueTaskOf), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(result).Invoke(null, [name, method])!;
            }
        }

        throw new InvalidOperationException($"Grain method {name} returns {returnType}; grain methods return Task, Task<T>, ValueTask or ValueTask<T>.");
    }

    private static TaskOfMethod<T> CreateTaskOf<T>(string name, MethodInfo method) => new(name, CompileInvoker<Task<T>>(method, asTask: false));

    private static ValueTaskOfMethod<T> CreateValueTaskOf<T>(string name, MethodInfo method) => new(name, CompileInvoker<Task<T>>(method, asTask: true));

    /// <summary>Compiles <c>(grain, args) =&gt; ((TInterface)grain).Method((T0)args[0], …)</c>, converting a ValueTask result to a Task.</summary>
    private static Func<object, object?[], TTask> CompileInvoker<TTask>(MethodInfo method, bool asTask)
    {
        var grain = Expression.Parameter(typeof(object), "grain");
        var arguments = Expression.Parameter(typeof(object?[]), "arguments");
        var parameters = method.GetParameters().Select((p, i) =>
        {
            if (p.ParameterType.IsByRef)
            {
                throw new InvalidOperationException($"Grain method {method.DeclaringType!.Name}.{method.Name} has a ref or out parameter; grain calls pass values.");
            }

            return (Expression)Expression.Convert(Expression.ArrayIndex(arguments, Expression.Constant(i)), p.ParameterType);
        });
        Expression call = Expression.Call(Expression.Convert(grain, method.DeclaringType!), method, parameters);
        if (asTask)
        {
            call = Expression.Call(call, method.ReturnType.GetMethod(nameof(ValueTask.AsTask))!);
        }

        return Expression.Lambda<Func<object, object?[], TTask>>(call, grain, arguments).Compile();
    }

    private sealed class TaskMethod(string name, Func<object, object?[], Task> invoker) : GrainMethod(name)
    {
        public override object Invoke(ActivationData activation, object?[] arguments) => activation.InvokeAsync(Name, invoker, arguments);
    }

    private sealed class ValueTaskMethod(string name, Func<object, object?[], Task> invoker) : GrainMethod(name)
    {
        public override object Invoke(ActivationData activation, object?[] arguments) => new ValueTask(activation.InvokeAsync(Name, invoker, arguments));
    }

    private sealed class TaskOfMethod<T>(string name, Func<object, object?[], Task<T>> invoker) : GrainMethod(name)
    {
        public override object Invoke(ActivationData activation, object?[] arguments) => activation.InvokeAsync(Name, invoker, arguments);
    }

    private sealed class ValueTaskOfMethod<T>(string name, Func<object, object?[], Task<T>> invoker) : GrainMethod(name)
    {
        public override object Invoke(ActivationData activation, object?[] arguments) => new ValueTask<T>(activation.InvokeAsync(Name, invoker, arguments));
    }
}

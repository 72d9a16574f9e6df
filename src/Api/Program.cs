using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
if (DevelopmentTokenCommand.IsInvoked(args))
{
    return DevelopmentTokenCommand.Run(builder.Configuration, builder.Environment, args, Console.Out, Console.Error);
}

builder.AddVoucherEngine();
var app = builder.Build();
app.MapVoucherEngine();
await app.RunAsync();
return 0;

/// <summary>The API's entry point; public so tests can host it with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;

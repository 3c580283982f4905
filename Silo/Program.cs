using Orleans.Zuul.Hosting;
using Orleans.Zuul.Silo;

return await ComponentMain.RunAsync("silo", () => SiloApp.Build(args));

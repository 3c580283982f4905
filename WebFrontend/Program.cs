using Orleans.Zuul.Hosting;
using Orleans.Zuul.WebFrontend;

return await ComponentMain.RunAsync("web frontend", () => WebFrontendApp.Build(args));

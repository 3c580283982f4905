using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Silo;

return await ComponentMain.RunAsync("silo", () => SiloApp.Build(args));

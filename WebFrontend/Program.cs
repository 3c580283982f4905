using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.WebFrontend;

return await ComponentMain.RunAsync("web frontend", () => WebFrontendApp.Build(args));

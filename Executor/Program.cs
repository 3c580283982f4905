using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Executor;

return await ComponentMain.RunAsync("executor", () => ExecutorApp.Build(args));

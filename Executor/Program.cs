using Orleans.Zuul.Hosting;
using Orleans.Zuul.Executor;

return await ComponentMain.RunAsync("executor", () => ExecutorApp.Build(args));

using Orleans.Zuul.Executor;

await ExecutorApp.Build(args).RunAsync();

using Orleans.Zuul.Silo;

await SiloApp.Build(args).RunAsync();

using Orleans.Zuul.WebFrontend;

await WebFrontendApp.Build(args).RunAsync();

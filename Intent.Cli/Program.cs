using Intent.Cli;

return await CliApp.RunAsync(args);

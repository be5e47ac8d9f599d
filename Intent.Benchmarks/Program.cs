using Intent.Benchmarks;

return await BenchApp.RunAsync(args);

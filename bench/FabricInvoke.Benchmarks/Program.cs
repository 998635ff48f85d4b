using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(FabricInvoke.Benchmarks.PipelineBenchmarks).Assembly).Run(args);

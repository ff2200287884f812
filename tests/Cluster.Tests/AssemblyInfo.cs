// Each test runs several Herald processes; one test at a time keeps a 2-core machine from starving them.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

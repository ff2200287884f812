namespace Herald.Testing;

/// <summary>Where the checkout and its build outputs are, seen from a test assembly.</summary>
public static class RepositoryLayout
{
    /// <summary>The directory holding Orleans.sln, found by walking up from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration of the running tests (Debug or Release); other outputs are used from the same one.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    /// <summary>The built assembly of a project at <paramref name="projectDirectory"/> (relative to the root).</summary>
    public static string BuiltAssembly(string projectDirectory, string assemblyName)
    {
        var path = Path.Combine(Root, projectDirectory, "bin", Configuration, "net10.0", $"{assemblyName}.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build {projectDirectory} first; {path} is missing.");
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Orleans.sln")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Orleans.sln not found above the test directory.");
    }
}

namespace Herald.Infrastructure.Storage;

/// <summary>
/// Folders and files that only the user Herald runs as may open: the data folder holds the endpoints' sealed secrets
/// beside the key ring that opens them, so anyone who can read both can read the secrets.
/// </summary>
internal static class PrivateFiles
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates the folder 0700, or takes group and others' access away from one that exists.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, FolderMode);
        Restrict(path, FolderMode);
    }

    /// <summary>Creates an empty file 0600 if there is none, or takes group and others' access away from the one there.</summary>
    public static void CreateFile(string path)
    {
        if (OperatingSystem.IsWindows())
            return;
        if (!File.Exists(path))
        {
            try
            {
                using var created = new FileStream(path, new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode });
                return;
            }
            catch (IOException) when (File.Exists(path))
            {
                // Made by someone else in between: restricted below like any existing file.
            }
        }

        Restrict(path, FileMode);
    }

    /// <summary>Takes group and others' access away from <paramref name="path"/> if it exists and has any.</summary>
    public static void Restrict(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows() || !Path.Exists(path))
            return;
        if ((File.GetUnixFileMode(path) & GroupOrOthers) != 0)
            File.SetUnixFileMode(path, mode);
    }
}

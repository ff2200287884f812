using System.ComponentModel.DataAnnotations;

namespace Herald.Infrastructure.Security;

/// <summary>What every configured key needs, the API's and the MCP bridge's alike: a name, and the hex SHA-256 of its secret.</summary>
public static class KeyOptionsValidation
{
    /// <param name="keysNew">The command that makes a key and prints its hash, named in the error.</param>
    public static IEnumerable<ValidationResult> NameAndHash(int index, string? name, string? hash, string keysNew)
    {
        if (string.IsNullOrWhiteSpace(name))
            yield return new ValidationResult($"Keys[{index}]: Name is required.", [$"Keys:{index}:Name"]);
        if (hash is null || hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
            yield return new ValidationResult($"Keys[{index}] ({name}): Hash must be the 64-character hex SHA-256 of the key (see: {keysNew}).", [$"Keys:{index}:Hash"]);
    }
}

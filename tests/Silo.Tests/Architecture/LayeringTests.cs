using System.Text.RegularExpressions;
using Herald.Testing;

namespace Herald.Silo.Tests.Architecture;

/// <summary>
/// The layers the folders show hold: no namespace of <c>src/</c> depends on one that depends back on it, and no file
/// grows past what a reader takes in at once. Read from the sources, as a reviewer reads them: a namespace depends on
/// another when one of its files names a type declared there, through a <c>using</c> or as its parent.
/// </summary>
public sealed partial class LayeringTests
{
    private const int MaxLines = 250;

    [Fact]
    public void No_namespace_depends_on_one_that_depends_back_on_it()
    {
        var files = SourceFiles().Select(path => (Path: path, Text: File.ReadAllText(path))).ToArray();
        var declared = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (_, text) in files)
        {
            if (NamespaceOf(text) is not { } ns)
                continue;
            if (!declared.TryGetValue(ns, out var types))
                declared[ns] = types = new HashSet<string>(StringComparer.Ordinal);
            types.UnionWith(TypeDeclaration().Matches(text).Select(m => m.Groups[1].Value));
        }

        var edges = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (path, text) in files)
        {
            if (NamespaceOf(text) is not { } ns)
                continue;
            var body = StringLiteral().Replace(DocComment().Replace(UsingDirective().Replace(text, string.Empty), string.Empty), string.Empty);
            var named = Word().Matches(body).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
            var parts = ns.Split('.');
            var parents = Enumerable.Range(1, parts.Length - 1).Select(i => string.Join('.', parts[..i]));
            foreach (var target in HeraldUsing().Matches(text).Select(m => m.Groups[1].Value).Concat(parents).Distinct(StringComparer.Ordinal))
            {
                if (target == ns || !declared.TryGetValue(target, out var types) || types.FirstOrDefault(named.Contains) is not { } type)
                    continue;
                if (!edges.TryGetValue(ns, out var from))
                    edges[ns] = from = new Dictionary<string, string>(StringComparer.Ordinal);
                from.TryAdd(target, $"{type} in {Path.GetRelativePath(RepositoryLayout.Root, path)}");
            }
        }

        var cycles = StronglyConnected(edges).Where(c => c.Count > 1).Select(c => string.Join("\n", c.Order(StringComparer.Ordinal).SelectMany(a =>
            edges[a].Where(e => c.Contains(e.Key)).Select(e => $"  {a} -> {e.Key} ({e.Value})")))).ToArray();
        Assert.True(cycles.Length == 0, "Namespaces that depend on each other:\n" + string.Join("\n\n", cycles));
    }

    [Fact]
    public void No_source_file_is_longer_than_250_lines()
    {
        var longer = SourceFiles().Select(path => (Path: Path.GetRelativePath(RepositoryLayout.Root, path), Lines: File.ReadLines(path).Count()))
            .Where(f => f.Lines > MaxLines).Select(f => $"{f.Path}: {f.Lines}").ToArray();
        Assert.True(longer.Length == 0, $"Files over {MaxLines} lines: " + string.Join(", ", longer));
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryLayout.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"));

    private static string? NamespaceOf(string text) => FileNamespace().Match(text) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>Tarjan's strongly connected components: each is a set of namespaces that all reach each other.</summary>
    private static List<HashSet<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<HashSet<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in edges.GetValueOrDefault(node)?.Keys ?? Enumerable.Empty<string>())
            {
                if (!index.TryGetValue(next, out var reached))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], reached);
                }
            }

            if (low[node] != index[node])
                return;
            var component = new HashSet<string>(StringComparer.Ordinal);
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                component.Add(member);
            }
            while (member != node);
            components.Add(component);
        }

        foreach (var node in edges.Keys.ToArray())
        {
            if (!index.ContainsKey(node))
                Visit(node);
        }

        return components;
    }

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"^(?:public |internal )?(?:(?:sealed|static|abstract|partial|readonly) )*(?:class|record(?: struct| class)?|interface|enum|struct) (\w+)", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"^using (Herald[\w.]*);", RegexOptions.Multiline)]
    private static partial Regex HeraldUsing();

    [GeneratedRegex(@"^using .*$", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"///.*$", RegexOptions.Multiline)]
    private static partial Regex DocComment();

    [GeneratedRegex("\"[^\"\\n]*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\b[A-Z]\w+\b")]
    private static partial Regex Word();
}

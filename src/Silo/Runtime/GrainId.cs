namespace Herald.Silo.Runtime;

/// <summary>Identifies a grain: its interface and its key. Exactly one activation per id exists at a time.</summary>
public readonly record struct GrainId(Type Interface, string Key)
{
    public override string ToString() => $"{Interface.Name}/{Key}";
}

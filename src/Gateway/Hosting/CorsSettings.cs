namespace Herald.Gateway.Hosting;

/// <summary>Allowed CORS origins, bound from <c>Herald:Cors</c>. <c>*</c> (the default) allows any origin.</summary>
public sealed class CorsSettings
{
    public const string Section = "Herald:Cors";

    public string[] Origins { get; set; } = ["*"];
}

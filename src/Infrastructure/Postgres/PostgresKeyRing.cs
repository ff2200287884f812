using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Herald.Infrastructure.Postgres;

/// <summary>
/// The cluster's Data Protection key ring in <c>herald_key_ring</c>: every silo and gateway seals and opens endpoint
/// secrets with the same keys, and a key one process makes (Data Protection makes a new one before the current one
/// expires) is read by the others at their next refresh. Data Protection calls this synchronously and rarely: at its
/// first use and when it refreshes the ring (daily, or when it meets a key it has not seen).
/// </summary>
internal sealed class PostgresKeyRing(NpgsqlDataSource dataSource) : IXmlRepository
{
    public const string Location = "the PostgreSQL table herald_key_ring";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var command = dataSource.CreateCommand("SELECT xml FROM herald_key_ring ORDER BY created_at, name");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
            elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        // Names are unique per element (a key's id), so a second store of one is the same element again.
        using var command = dataSource.CreateCommand("INSERT INTO herald_key_ring (name, xml) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = friendlyName });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = element.ToString(SaveOptions.DisableFormatting) });
        command.ExecuteNonQuery();
    }
}

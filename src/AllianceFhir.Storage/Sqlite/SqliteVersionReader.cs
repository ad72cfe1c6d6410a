using System.Collections.Concurrent;
using AllianceFhir.Core.Resources;
using AllianceFhir.Core.Storage;
using AllianceFhir.Storage.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>
/// Reads by id on SQLite from a small pool of open connections holding prepared statements. Through EF, each read
/// paid for query-cache lookup, parameter extraction, a pooled-connection open with its pragmas, and materialization:
/// about twice the cost of SQLite's own work. WAL lets these connections read beside the writer.
/// </summary>
/// <remarks>
/// Current definitional rows (<see cref="SharedDefinitions.IsShared"/>) keep their JSON here: every submit reads its
/// Questionnaire, ~20 KB of text decoded into a new ~40 KB string only for <see cref="SharedDefinitions"/> to find the
/// parse it already has. A read of such a row asks for its version, surrogate and timestamp alone and hands out the kept
/// version (the same string) while they match; each version is a row of its own whose JSON never changes, so a match
/// is the same content.
/// </remarks>
public sealed class SqliteVersionReader(IOptions<StorageOptions> options, IServiceScopeFactory scopes) : IVersionReader, IDisposable
{
    /// <summary>Bounded because clients can post any number of these; past it the map simply starts over.</summary>
    private const int MaxDefinitions = 512;

    private readonly ConcurrentDictionary<(string Tenant, string Type, string Id), ResourceVersion> _definitions = new();
    private readonly ConcurrentBag<ReadStatements> _idle = [];
    private readonly int _maxIdle = Environment.ProcessorCount * 4;
    private IModel? _model;
    private bool _disposed;

    public Task<ResourceVersion?> ReadCurrentAsync(string tenant, string resourceType, string id, CancellationToken cancellationToken) =>
        Task.FromResult(SharedDefinitions.IsShared(resourceType)
            ? ReadDefinition(tenant, resourceType, id)
            : Read(s => s.ReadCurrent(tenant, resourceType, id)));

    public Task<ResourceVersion?> ReadVersionAsync(string tenant, string resourceType, string id, int versionId, CancellationToken cancellationToken) =>
        Task.FromResult(Read(s => s.ReadVersion(tenant, resourceType, id, versionId)));

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var statements))
        {
            statements.Dispose();
        }
    }

    private ResourceVersion? ReadDefinition(string tenant, string resourceType, string id)
    {
        var key = (tenant, resourceType, id);
        if (_definitions.TryGetValue(key, out var kept)
            && Read(s => s.ReadCurrentHead(tenant, resourceType, id)) is { } head
            && head == kept with { Json = null })
        {
            return kept;
        }

        var version = Read(s => s.ReadCurrent(tenant, resourceType, id));
        if (version is { IsDeleted: false, Json: not null })
        {
            if (_definitions.Count >= MaxDefinitions)
            {
                _definitions.Clear();
            }

            _definitions[key] = version;
        }
        else
        {
            _definitions.TryRemove(key, out _);
        }

        return version;
    }

    private ResourceVersion? Read(Func<ReadStatements, ResourceVersion?> read)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_idle.TryTake(out var statements))
        {
            statements = Open();
        }

        try
        {
            return read(statements);
        }
        catch
        {
            // A connection that failed mid-read is not trusted again.
            statements.Dispose();
            throw;
        }
        finally
        {
            if (!statements.IsDisposed)
            {
                if (_idle.Count < _maxIdle && !_disposed)
                {
                    _idle.Add(statements);
                }
                else
                {
                    statements.Dispose();
                }
            }
        }
    }

    private ReadStatements Open()
    {
        _model ??= SqliteNames.ResolveModel(scopes);
        var connection = SqliteNames.Open(options.Value);
        try
        {
            return new ReadStatements(connection, _model);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private sealed class ReadStatements : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _current;
        private readonly SqliteCommand _currentHead;
        private readonly SqliteCommand _version;

        public ReadStatements(SqliteConnection connection, IModel model)
        {
            _connection = connection;
            var resources = model.FindEntityType(typeof(ResourceEntity))!;
            string C(string property) => SqliteNames.Column(resources, property);
            var select =
                $"SELECT {C(nameof(ResourceEntity.VersionId))}, {C(nameof(ResourceEntity.LastUpdated))}, {C(nameof(ResourceEntity.IsDeleted))}, " +
                $"{C(nameof(ResourceEntity.Json))}, {C(nameof(ResourceEntity.Method))}, {C(nameof(ResourceEntity.Surrogate))} " +
                $"FROM {SqliteNames.Table(resources)} WHERE {C(nameof(ResourceEntity.TenantId))} = $tenant " +
                $"AND {C(nameof(ResourceEntity.ResourceType))} = $type AND {C(nameof(ResourceEntity.ResourceId))} = $id";
            _current = Prepare($"{select} AND {C(nameof(ResourceEntity.IsHistory))} = 0");
            _currentHead = Prepare(
                $"SELECT {C(nameof(ResourceEntity.VersionId))}, {C(nameof(ResourceEntity.LastUpdated))}, {C(nameof(ResourceEntity.IsDeleted))}, " +
                $"NULL, {C(nameof(ResourceEntity.Method))}, {C(nameof(ResourceEntity.Surrogate))} " +
                $"FROM {SqliteNames.Table(resources)} WHERE {C(nameof(ResourceEntity.TenantId))} = $tenant " +
                $"AND {C(nameof(ResourceEntity.ResourceType))} = $type AND {C(nameof(ResourceEntity.ResourceId))} = $id " +
                $"AND {C(nameof(ResourceEntity.IsHistory))} = 0");
            _version = Prepare($"{select} AND {C(nameof(ResourceEntity.VersionId))} = $version", "$version");
        }

        public bool IsDisposed { get; private set; }

        public ResourceVersion? ReadCurrent(string tenant, string resourceType, string id) => Execute(_current, tenant, resourceType, id);

        /// <summary>The current version without its JSON (null in its place).</summary>
        public ResourceVersion? ReadCurrentHead(string tenant, string resourceType, string id) => Execute(_currentHead, tenant, resourceType, id);

        public ResourceVersion? ReadVersion(string tenant, string resourceType, string id, int versionId)
        {
            _version.Parameters[3].Value = versionId;
            return Execute(_version, tenant, resourceType, id);
        }

        public void Dispose()
        {
            IsDisposed = true;
            _current.Dispose();
            _currentHead.Dispose();
            _version.Dispose();
            _connection.Dispose();
        }

        private static ResourceVersion? Execute(SqliteCommand command, string tenant, string resourceType, string id)
        {
            command.Parameters[0].Value = tenant;
            command.Parameters[1].Value = resourceType;
            command.Parameters[2].Value = id;
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            return new ResourceVersion(
                resourceType,
                id,
                reader.GetInt32(0),
                new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc)),
                reader.GetBoolean(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4),
                reader.GetInt64(5));
        }

        private SqliteCommand Prepare(string sql, params string[] extraParameters)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.Add(new SqliteParameter { ParameterName = "$tenant" });
            command.Parameters.Add(new SqliteParameter { ParameterName = "$type" });
            command.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
            foreach (var name in extraParameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            command.Prepare();
            return command;
        }
    }
}

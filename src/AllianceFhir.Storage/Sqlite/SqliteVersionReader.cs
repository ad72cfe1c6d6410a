using System.Collections.Concurrent;
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
public sealed class SqliteVersionReader(IOptions<StorageOptions> options, IServiceScopeFactory scopes) : IVersionReader, IDisposable
{
    private readonly ConcurrentBag<ReadStatements> _idle = [];
    private readonly int _maxIdle = Environment.ProcessorCount * 4;
    private IModel? _model;
    private bool _disposed;

    public Task<ResourceVersion?> ReadCurrentAsync(string tenant, string resourceType, string id, CancellationToken cancellationToken) =>
        Task.FromResult(Read(s => s.ReadCurrent(tenant, resourceType, id)));

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
            _version = Prepare($"{select} AND {C(nameof(ResourceEntity.VersionId))} = $version", "$version");
        }

        public bool IsDisposed { get; private set; }

        public ResourceVersion? ReadCurrent(string tenant, string resourceType, string id) => Execute(_current, tenant, resourceType, id);

        public ResourceVersion? ReadVersion(string tenant, string resourceType, string id, int versionId)
        {
            _version.Parameters[3].Value = versionId;
            return Execute(_version, tenant, resourceType, id);
        }

        public void Dispose()
        {
            IsDisposed = true;
            _current.Dispose();
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

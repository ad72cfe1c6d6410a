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

    /// <summary>
    /// How many statement sets are idle, kept beside the bag: <c>ConcurrentBag.Count</c> freezes the bag (takes every
    /// thread's lock), ~0.4 % of a read by id's CPU (docs/performance.md). It may be off by a racing read or two, which
    /// moves the bound by as much.
    /// </summary>
    private int _idleCount;
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
        if (_idle.TryTake(out var statements))
        {
            Interlocked.Decrement(ref _idleCount);
        }
        else
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
                if (Volatile.Read(ref _idleCount) < _maxIdle && !_disposed)
                {
                    _idle.Add(statements);
                    Interlocked.Increment(ref _idleCount);
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
        private readonly RawStatement _current;
        private readonly RawStatement _currentHead;
        private readonly RawStatement _version;

        public ReadStatements(SqliteConnection connection, IModel model)
        {
            _connection = connection;
            var resources = model.FindEntityType(typeof(ResourceEntity))!;
            string C(string property) => SqliteNames.Column(resources, property);
            var select =
                $"SELECT {C(nameof(ResourceEntity.VersionId))}, {C(nameof(ResourceEntity.LastUpdated))}, {C(nameof(ResourceEntity.IsDeleted))}, " +
                $"{C(nameof(ResourceEntity.Json))}, {C(nameof(ResourceEntity.Method))}, {C(nameof(ResourceEntity.Surrogate))} " +
                $"FROM {SqliteNames.Table(resources)} WHERE {C(nameof(ResourceEntity.TenantId))} = ?1 " +
                $"AND {C(nameof(ResourceEntity.ResourceType))} = ?2 AND {C(nameof(ResourceEntity.ResourceId))} = ?3";
            var statements = new List<RawStatement>(3);
            try
            {
                _current = Prepare($"{select} AND {C(nameof(ResourceEntity.IsHistory))} = 0");
                _currentHead = Prepare(
                    $"SELECT {C(nameof(ResourceEntity.VersionId))}, {C(nameof(ResourceEntity.LastUpdated))}, {C(nameof(ResourceEntity.IsDeleted))}, " +
                    $"NULL, {C(nameof(ResourceEntity.Method))}, {C(nameof(ResourceEntity.Surrogate))} " +
                    $"FROM {SqliteNames.Table(resources)} WHERE {C(nameof(ResourceEntity.TenantId))} = ?1 " +
                    $"AND {C(nameof(ResourceEntity.ResourceType))} = ?2 AND {C(nameof(ResourceEntity.ResourceId))} = ?3 " +
                    $"AND {C(nameof(ResourceEntity.IsHistory))} = 0");
                _version = Prepare($"{select} AND {C(nameof(ResourceEntity.VersionId))} = ?4");
            }
            catch
            {
                statements.ForEach(statement => statement.Dispose());
                throw;
            }

            RawStatement Prepare(string sql)
            {
                var statement = new RawStatement(connection, sql);
                statements.Add(statement);
                return statement;
            }
        }

        public bool IsDisposed { get; private set; }

        public ResourceVersion? ReadCurrent(string tenant, string resourceType, string id) => Execute(_current, tenant, resourceType, id, null);

        /// <summary>The current version without its JSON (null in its place).</summary>
        public ResourceVersion? ReadCurrentHead(string tenant, string resourceType, string id) => Execute(_currentHead, tenant, resourceType, id, null);

        public ResourceVersion? ReadVersion(string tenant, string resourceType, string id, int versionId) =>
            Execute(_version, tenant, resourceType, id, versionId);

        public void Dispose()
        {
            IsDisposed = true;
            _current.Dispose();
            _currentHead.Dispose();
            _version.Dispose();
            _connection.Dispose();
        }

        /// <summary>
        /// Bound by position and read by column on the statement itself: through SqliteCommand each read also looked its
        /// parameters up by name, walked the statement list, opened a data reader and parsed lastUpdated with the
        /// culture-aware DateTime parser (~2 % of a read by id's CPU, docs/performance.md session 11). Values are read
        /// as the driver's getters read them; the reset ends the read transaction before the connection goes back.
        /// </summary>
        private static ResourceVersion? Execute(RawStatement statement, string tenant, string resourceType, string id, int? versionId)
        {
            try
            {
                statement.Bind(1, tenant);
                statement.Bind(2, resourceType);
                statement.Bind(3, id);
                if (versionId is { } version)
                {
                    statement.Bind(4, version);
                }

                if (!statement.StepReading())
                {
                    return null;
                }

                return new ResourceVersion(
                    resourceType,
                    id,
                    statement.Int32(0),
                    new DateTimeOffset(DateTime.SpecifyKind(statement.DateTime(1), DateTimeKind.Utc)),
                    statement.Int64(2) != 0,
                    statement.Text(3),
                    statement.Text(4) ?? throw new InvalidOperationException("A stored version has no method"),
                    statement.Int64(5));
            }
            finally
            {
                statement.Reset();
            }
        }
    }
}

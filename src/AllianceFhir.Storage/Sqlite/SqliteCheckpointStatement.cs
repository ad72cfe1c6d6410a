using AllianceFhir.Core.Import;
using AllianceFhir.Storage.Entities;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AllianceFhir.Storage.Sqlite;

/// <summary>The compare-and-set of an import job's progress, on the group committer's write connection.</summary>
internal sealed class SqliteCheckpointStatement : IDisposable
{
    private readonly SqliteCommand _update;

    public SqliteCheckpointStatement(SqliteConnection connection, IModel model)
    {
        var jobs = model.FindEntityType(typeof(ImportJobEntity))!;
        string C(string property) => SqliteNames.Column(jobs, property);
        _update = connection.CreateCommand();
        _update.CommandText =
            $"UPDATE {SqliteNames.Table(jobs)} SET {C(nameof(ImportJobEntity.Sequence))} = $new, {C(nameof(ImportJobEntity.Progress))} = $progress, " +
            $"{C(nameof(ImportJobEntity.LeaseUntil))} = $until WHERE {C(nameof(ImportJobEntity.Id))} = $id AND {C(nameof(ImportJobEntity.Sequence))} = $expected " +
            $"AND {C(nameof(ImportJobEntity.LeaseOwner))} = $owner AND {C(nameof(ImportJobEntity.Status))} = '{nameof(ImportJobStatus.Running)}'";
        foreach (var name in new[] { "$new", "$progress", "$until", "$id", "$expected", "$owner" })
        {
            _update.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        _update.Prepare();
    }

    public void Apply(JobCheckpoint checkpoint)
    {
        _update.Parameters[0].Value = checkpoint.NewSequence;
        _update.Parameters[1].Value = checkpoint.Progress;
        _update.Parameters[2].Value = checkpoint.LeaseUntil;
        _update.Parameters[3].Value = checkpoint.JobId;
        _update.Parameters[4].Value = checkpoint.ExpectedSequence;
        _update.Parameters[5].Value = checkpoint.LeaseOwner;
        if (_update.ExecuteNonQuery() != 1)
        {
            throw new ImportLeaseLostException(checkpoint.JobId);
        }
    }

    public void Dispose() => _update.Dispose();
}

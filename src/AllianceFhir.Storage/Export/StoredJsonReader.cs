using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;

namespace AllianceFhir.Storage.Export;

/// <summary>
/// The stored JSON column of a reader's current row as UTF-8. SQLite keeps TEXT as UTF-8 and hands those bytes over
/// unchanged (one array per row, never a string); SQL Server's nvarchar arrives as a string, encoded into a buffer
/// reused across rows. Either way the bytes are valid until the next row is read.
/// </summary>
internal sealed class StoredJsonReader(DbDataReader reader)
{
    private readonly bool _utf8 = reader is SqliteDataReader;
    private byte[] _buffer = [];

    public ReadOnlyMemory<byte> Read(int ordinal)
    {
        if (_utf8)
        {
            return reader.GetFieldValue<byte[]>(ordinal);
        }

        var text = reader.GetString(ordinal);
        var size = Encoding.UTF8.GetByteCount(text);
        if (_buffer.Length < size)
        {
            _buffer = new byte[Math.Max(size, _buffer.Length * 2)];
        }

        return _buffer.AsMemory(0, Encoding.UTF8.GetBytes(text, _buffer));
    }
}

namespace AllianceFhir.Core.Import;

/// <summary>One line of an NDJSON input: its 1-based number, the byte offset just after it, and its bytes (without the newline).</summary>
/// <param name="TooLong">The line was longer than the limit; <see cref="Bytes"/> is empty and the line was skipped unread.</param>
public readonly record struct NdjsonLine(long Number, long EndOffset, ReadOnlyMemory<byte> Bytes, bool TooLong);

/// <summary>
/// Splits a stream into NDJSON lines without ever holding more than one line (plus one read buffer) in memory, and
/// counts bytes so that a job can resume at the exact byte after its last committed line. A line longer than the
/// limit is reported (and skipped) rather than buffered. <see cref="NdjsonLine.Bytes"/> is valid until the next read.
/// </summary>
public sealed class NdjsonLineReader(Stream stream, long startOffset, long startLine, int maxLineBytes)
{
    private const int ReadSize = 64 * 1024;

    private byte[] _buffer = new byte[ReadSize];
    private int _start;
    private int _end;
    private long _offset = startOffset;
    private long _line = startLine;
    private bool _eof;

    public async ValueTask<NdjsonLine?> ReadAsync(CancellationToken cancellationToken)
    {
        var skipping = false;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline >= 0)
            {
                var length = newline - _start;
                var line = TakeLine(length, consumed: length + 1, skipping);
                return line;
            }

            if (_eof)
            {
                if (_end > _start || skipping)
                {
                    return TakeLine(_end - _start, consumed: _end - _start, skipping);
                }

                return null;
            }

            if (_end - _start > maxLineBytes)
            {
                // Too long to hold: forget what we have of it and skip to its end, still counting its bytes.
                skipping = true;
                _offset += _end - _start;
                _start = _end = 0;
            }

            await FillAsync(cancellationToken);
        }
    }

    private NdjsonLine TakeLine(int length, int consumed, bool skipped)
    {
        _line++;
        _offset += consumed;
        var bytes = _buffer.AsMemory(_start, length);
        _start += consumed;
        if (!skipped && length > 0 && bytes.Span[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        return skipped || length > maxLineBytes
            ? new NdjsonLine(_line, _offset, ReadOnlyMemory<byte>.Empty, TooLong: true)
            : new NdjsonLine(_line, _offset, bytes, TooLong: false);
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_buffer.Length - _end < ReadSize)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _end + ReadSize));
        }

        var read = await stream.ReadAsync(_buffer.AsMemory(_end, ReadSize), cancellationToken);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }
}

using System.Text;
using AllianceFhir.Core.Import;

namespace AllianceFhir.Core.Tests.Import;

/// <summary>The byte offsets a resumed import seeks to must land exactly after the last committed line.</summary>
public class NdjsonLineReaderTests
{
    private static async Task<List<(long Number, long End, string Text, bool TooLong)>> ReadAllAsync(string text, long start = 0, long line = 0, int max = 1000)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        using var stream = new MemoryStream(bytes, (int)start, bytes.Length - (int)start);
        var reader = new NdjsonLineReader(stream, start, line, max);
        var lines = new List<(long, long, string, bool)>();
        while (await reader.ReadAsync(CancellationToken.None) is { } read)
        {
            lines.Add((read.Number, read.EndOffset, Encoding.UTF8.GetString(read.Bytes.Span), read.TooLong));
        }

        return lines;
    }

    [Fact]
    public async Task Lines_carry_their_number_and_the_offset_after_them_with_crlf_and_a_last_line_without_newline()
    {
        var lines = await ReadAllAsync("{\"a\":1}\r\n{\"é\":2}\n{\"c\":3}");

        Assert.Equal([(1L, 9L, "{\"a\":1}", false), (2L, 18L, "{\"é\":2}", false), (3L, 25L, "{\"c\":3}", false)], lines);
    }

    [Fact]
    public async Task Resuming_at_a_recorded_offset_reads_the_rest_with_the_right_numbers()
    {
        const string text = "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n";
        var all = await ReadAllAsync(text);
        var resumed = await ReadAllAsync(text, start: all[0].End, line: all[0].Number);

        Assert.Equal(all.Skip(1), resumed);
    }

    [Fact]
    public async Task A_line_longer_than_the_limit_is_skipped_and_counted_without_being_buffered()
    {
        var longLine = new string('x', 200_000);
        var lines = await ReadAllAsync($"{{}}\n{longLine}\n{{\"after\":1}}\n", max: 1000);

        Assert.Equal(3, lines.Count);
        Assert.True(lines[1].TooLong);
        Assert.Equal(3 + longLine.Length + 1, lines[1].End);
        Assert.Equal((3L, "{\"after\":1}"), (lines[2].Number, lines[2].Text));
    }
}

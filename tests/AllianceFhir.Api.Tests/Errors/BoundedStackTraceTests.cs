using AllianceFhir.Api.Errors;

namespace AllianceFhir.Api.Tests.Errors;

public sealed class BoundedStackTraceTests
{
    [Fact]
    public void A_deep_stack_is_cut_to_the_frame_limit_and_says_how_much_was_left_out()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => Recurse(2_000));

        var logged = BoundedStackTrace.Of(exception);

        var lines = logged.Split('\n');
        Assert.Equal(BoundedStackTrace.MaxFrames + 1, lines.Length);
        Assert.Contains("more frames", lines[^1], StringComparison.Ordinal);
        Assert.True(logged.Length < exception.StackTrace!.Length / 10);
    }

    [Fact]
    public void A_short_stack_is_logged_whole()
    {
        var exception = Assert.Throws<InvalidOperationException>(() => Recurse(3));

        Assert.Equal(exception.StackTrace, BoundedStackTrace.Of(exception));
    }

    private static int Recurse(int depth) =>
        depth == 0 ? throw new InvalidOperationException("bottom") : Recurse(depth - 1) + 1;
}

using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Tests.Support;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Tests.Scoring;

public class ScoringEngineConcurrencyTests
{
    [Fact]
    public void One_engine_scores_many_responses_in_parallel_without_mixing_them_up()
    {
        // The engine is a singleton in the server: compiled expressions are shared, evaluation contexts must not be.
        var engine = new ScoringEngine();
        var wai = Responses.Instrument("wai-sr");
        var failures = 0;
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, n =>
        {
            var position = n % 5;
            var response = Responses.Choices(wai, Enumerable.Repeat(position, 12).ToArray());
            engine.Score(wai, response);
            if (((Integer)Responses.AnswerOf(response, "total")!).Value != 12 * (position + 1)
                || ((Integer)Responses.AnswerOf(response, "bond")!).Value != 4 * (position + 1))
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Equal(0, failures);
    }
}

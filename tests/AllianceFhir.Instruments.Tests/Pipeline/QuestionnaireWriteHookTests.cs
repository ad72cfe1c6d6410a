using System.Net;
using AllianceFhir.Core.Errors;
using AllianceFhir.Core.Pipeline;
using AllianceFhir.Instruments.Fhir;
using AllianceFhir.Instruments.Pipeline;
using AllianceFhir.Instruments.Scoring;
using AllianceFhir.Instruments.Tests.Support;
using AllianceFhir.Instruments.Validation;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;

namespace AllianceFhir.Instruments.Tests.Pipeline;

public class QuestionnaireWriteHookTests
{
    private readonly QuestionnaireWriteHook _hook = new(new QuestionnaireDefinitionValidator(new ScoringEngine()));

    [Fact]
    public async Task Catalog_instrument_is_accepted()
    {
        var context = new ResourceWriteContext(WriteOperation.Create, "Questionnaire", "wai-sr", Responses.Instrument("wai-sr"), null, new InMemoryReader());
        await _hook.OnWriteAsync(context, CancellationToken.None);
        Assert.Empty(context.DependentWrites);
    }

    [Fact]
    public async Task Custom_instrument_with_a_broken_score_expression_is_422()
    {
        var questionnaire = Responses.Instrument("trc-5");
        ((Hl7.Fhir.Model.Expression)questionnaire.Item.Single(i => i.LinkId == "total").GetExtension(ExtensionUrls.CalculatedExpression)!.Value!).Expression_ = "%resource.item.answer.value.weight(.sum()";
        var context = new ResourceWriteContext(WriteOperation.Update, "Questionnaire", "trc-5", questionnaire, null, new InMemoryReader());

        var ex = await Assert.ThrowsAsync<FhirOperationException>(() => _hook.OnWriteAsync(context, CancellationToken.None));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, ex.Status);
    }
}

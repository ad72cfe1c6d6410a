using AllianceFhir.Core.Pipeline;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Monitoring;

/// <summary>
/// Where every write reaches the rules: the Observations a write puts in place — the one a client POSTs, PUTs or sends in
/// a Bundle or an import line, and the ones a response's extraction derives — and the stored versions they replace or
/// delete. Each path (REST, conditional, transaction and batch entries, $import) prepares its writes through
/// <see cref="AllianceFhir.Core.Resources.ResourceService"/>, which runs this once per write after the type hooks.
/// </summary>
public sealed class MonitoringWriteSetHook(MonitoringEvaluator monitoring) : IWriteSetHook
{
    public async System.Threading.Tasks.Task OnWriteSetAsync(ResourceWriteContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        List<Observation> written = [.. context.DependentWrites.OfType<Observation>()];
        var withdrawn = new List<Observation>();
        if (context.Previous is Observation previous)
        {
            withdrawn.Add(previous);
        }
        else if (context.Previous is not null)
        {
            // An update of what the scores were derived from (a response) may move them to another patient or
            // encounter: the episode they leave is judged again too. A first write derives only new Observations.
            foreach (var derived in written.Where(o => o.Id is not null))
            {
                if (await context.Reader.ReadAsync("Observation", derived.Id!, cancellationToken) is Observation stored)
                {
                    withdrawn.Add(stored);
                }
            }
        }

        if (context.Resource is Observation own)
        {
            written.Insert(0, own);
        }

        if (written.Count > 0 || withdrawn.Count > 0)
        {
            await monitoring.EvaluateAsync(context, written, withdrawn, cancellationToken);
        }
    }
}

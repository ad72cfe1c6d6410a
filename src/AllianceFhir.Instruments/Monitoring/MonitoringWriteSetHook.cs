using AllianceFhir.Core.Pipeline;
using Hl7.Fhir.Model;

namespace AllianceFhir.Instruments.Monitoring;

/// <summary>
/// Where every write reaches the rules: the Observations a write puts in place — the one a client POSTs, PUTs or sends in
/// a Bundle or an import line, and the ones a response's extraction derives — and the stored Observation it replaces or
/// deletes. Each path (REST, conditional, transaction and batch entries, $import) prepares its writes through
/// <see cref="AllianceFhir.Core.Resources.ResourceService"/>, which runs this once per write after the type hooks.
/// </summary>
public sealed class MonitoringWriteSetHook(MonitoringEvaluator monitoring) : IWriteSetHook
{
    public System.Threading.Tasks.Task OnWriteSetAsync(ResourceWriteContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        List<Observation> written = [.. context.DependentWrites.OfType<Observation>()];
        if (context.Resource is Observation own)
        {
            written.Insert(0, own);
        }

        IReadOnlyList<Observation> withdrawn = context.Previous is Observation previous ? [previous] : [];
        return written.Count == 0 && withdrawn.Count == 0
            ? System.Threading.Tasks.Task.CompletedTask
            : monitoring.EvaluateAsync(context, written, withdrawn, cancellationToken);
    }
}

using FluentValidation;

namespace AllianceFhir.Instruments.Monitoring;

/// <summary>What a rules file must hold for every rule to be evaluable; checked once at start-up.</summary>
public sealed class MonitoringRuleSetValidator : AbstractValidator<MonitoringRuleSet>
{
    public MonitoringRuleSetValidator()
    {
        RuleFor(s => s.Version).NotEmpty();
        RuleFor(s => s.Rules).Must(r => r.Select(x => x.Id).Distinct(StringComparer.Ordinal).Count() == r.Count)
            .WithMessage("Rule ids must be unique");
        RuleForEach(s => s.Rules).SetValidator(new RuleValidator());
        When(s => s.Change is not null, () =>
        {
            RuleFor(s => s.Change!.Score).NotEmpty();
            RuleFor(s => s.Change!.Code).NotEmpty();
            RuleFor(s => s.Change!.ReliableChange).GreaterThan(0);
        });
    }

    private sealed class RuleValidator : AbstractValidator<MonitoringRule>
    {
        public RuleValidator()
        {
            RuleFor(r => r.Id).NotEmpty().Matches("^[a-z0-9][a-z0-9-]*$").WithMessage("Rule id '{PropertyValue}' must be lower-case letters, digits and '-'");
            RuleFor(r => r.Title).NotEmpty().WithMessage(r => $"Rule '{r.Id}': title is required");
            RuleFor(r => r.Description).NotEmpty().WithMessage(r => $"Rule '{r.Id}': description is required");
            RuleFor(r => r.Kind).Must(k => RuleKinds.All.Contains(k)).WithMessage(r => $"Rule '{r.Id}': kind '{r.Kind}' is not one of {string.Join(", ", RuleKinds.All)}");
            RuleFor(r => r.Scores).NotEmpty().WithMessage(r => $"Rule '{r.Id}': scores is required");
            RuleFor(r => r.Scores).Must(s => s.Count == 1).When(r => r.Kind != RuleKinds.AnyBelow)
                .WithMessage(r => $"Rule '{r.Id}': a '{r.Kind}' rule reads exactly one score");
            RuleFor(r => r.Threshold).NotNull().When(r => r.Kind is RuleKinds.Below or RuleKinds.AnyBelow)
                .WithMessage(r => $"Rule '{r.Id}': threshold is required");
            RuleFor(r => r).Must(r => (r.MinDrop is not null) ^ (r.Rci is not null)).When(r => r.Kind == RuleKinds.Drop)
                .WithMessage(r => $"Rule '{r.Id}': a drop rule needs either minDrop or rci");
            RuleFor(r => r.MinDrop).GreaterThanOrEqualTo(0).When(r => r.MinDrop is not null);
            RuleFor(r => r.Rci!.Reliability).ExclusiveBetween(0, 1).When(r => r.Rci is not null)
                .WithMessage(r => $"Rule '{r.Id}': rci.reliability must be between 0 and 1");
            RuleFor(r => r.Rci!.Sd).GreaterThan(0).When(r => r.Rci is not null)
                .WithMessage(r => $"Rule '{r.Id}': rci.sd must be positive");
            RuleFor(r => r.ReliableChange).NotNull().GreaterThan(0).When(r => r.Kind is RuleKinds.ChangeFromIntake or RuleKinds.NoImprovementBySession)
                .WithMessage(r => $"Rule '{r.Id}': reliableChange must be positive");
            RuleFor(r => r.Direction).Equal("worse").When(r => r.Kind == RuleKinds.ChangeFromIntake)
                .WithMessage(r => $"Rule '{r.Id}': direction must be 'worse'");
            RuleFor(r => r.Session).NotNull().GreaterThanOrEqualTo(2).When(r => r.Kind == RuleKinds.NoImprovementBySession)
                .WithMessage(r => $"Rule '{r.Id}': session must be 2 or later (intake is session 1)");
        }
    }
}

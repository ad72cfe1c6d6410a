using FluentValidation;
using Microsoft.Extensions.Options;

namespace AllianceFhir.Api.Configuration;

/// <summary>Runs a FluentValidation validator as an options validator, so <c>ValidateOnStart</c> stops a misconfigured host.</summary>
public sealed class FluentOptionsValidation<TOptions>(IValidator<TOptions> validator) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var result = validator.Validate(options);
        return result.IsValid
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(result.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}"));
    }
}

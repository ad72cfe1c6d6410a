using System.Linq.Expressions;

namespace AllianceFhir.Storage.Search;

/// <summary>
/// Combines predicate lambdas into one lambda (OR of a criterion's values, AND of its parts) by rebinding parameters,
/// which EF Core translates; <c>Expression.Invoke</c> would not be.
/// </summary>
internal static class Predicates
{
    public static Expression<Func<T, bool>> Or<T>(IEnumerable<Expression<Func<T, bool>>> predicates) =>
        Combine(predicates, Expression.OrElse);

    public static Expression<Func<T, bool>> And<T>(this Expression<Func<T, bool>> left, Expression<Func<T, bool>> right) =>
        Combine([left, right], Expression.AndAlso);

    public static Expression<Func<T, bool>> Not<T>(this Expression<Func<T, bool>> predicate) =>
        Expression.Lambda<Func<T, bool>>(Expression.Not(predicate.Body), predicate.Parameters);

    private static Expression<Func<T, bool>> Combine<T>(
        IEnumerable<Expression<Func<T, bool>>> predicates,
        Func<Expression, Expression, BinaryExpression> join)
    {
        var list = predicates.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("At least one predicate is needed.", nameof(predicates));
        }

        var parameter = list[0].Parameters[0];
        var body = list[0].Body;
        foreach (var next in list.Skip(1))
        {
            body = join(body, new Rebinder(next.Parameters[0], parameter).Visit(next.Body));
        }

        return Expression.Lambda<Func<T, bool>>(body, parameter);
    }

    /// <summary>Replaces one parameter by another expression.</summary>
    internal sealed class Rebinder(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}

using System.Net;
using AllianceFhir.Api.Tests.Infrastructure;
using Hl7.Fhir.Model;

namespace AllianceFhir.Api.Tests.Endpoints;

public sealed class BodyLimitTests : IDisposable
{
    private readonly FhirApplication _app = new FhirApplication().With("Fhir:MaxRequestBodyBytes", "2048");

    [Fact]
    public async Task Body_over_the_configured_limit_is_413_and_nothing_is_stored()
    {
        var client = _app.CreateClient();
        var patient = Patients.WithMrn("big-1");
        patient.Name[0].Given = [new string('x', 4000)];

        using var response = await client.PostAsync("/fhir/Patient", patient);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.TooCostly, (await response.ReadAsAsync<OperationOutcome>()).Issue[0].Code);
        using var history = await client.GetAsync("/fhir/Patient/_history");
        Assert.Empty((await history.ReadAsAsync<Bundle>()).Entry);
    }

    [Fact]
    public async Task Body_over_the_limit_without_a_content_length_is_413_and_nothing_is_stored()
    {
        var client = _app.CreateClient();
        var patient = Patients.WithMrn("big-2");
        patient.Name[0].Given = [new string('x', 4000)];

        using var response = await client.PostAsync("/fhir/Patient", WithoutLength(FhirHttp.JsonBody(patient)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        using var history = await client.GetAsync("/fhir/Patient/_history");
        Assert.Empty((await history.ReadAsAsync<Bundle>()).Entry);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Body_larger_than_the_first_read_buffer_is_read_whole(bool declaredLength)
    {
        // The body is read into pooled buffers that start small and grow: a value across the buffer seams must
        // arrive intact, with and without a Content-Length.
        using var app = new FhirApplication();
        var client = app.CreateClient();
        var patient = Patients.WithMrn("long-1");
        var given = string.Concat(Enumerable.Range(0, 40000).Select(i => (char)('a' + (i % 26))));
        patient.Name[0].Given = [given];
        var body = FhirHttp.JsonBody(patient);

        using var created = await client.PostAsync("/fhir/Patient", declaredLength ? body : WithoutLength(body));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var read = await client.GetAsync(created.Headers.Location);
        Assert.Equal(given, (await read.ReadAsAsync<Patient>()).Name[0].Given.Single());
    }

    /// <summary>The same body sent as a stream of unknown length (chunked), so the server cannot size its buffer up front.</summary>
    private static StreamContent WithoutLength(HttpContent content)
    {
        var streamed = new StreamContent(new UnknownLengthStream(content.ReadAsStream()));
        streamed.Headers.ContentType = content.Headers.ContentType;
        return streamed;
    }

    private sealed class UnknownLengthStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1000));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    public void Dispose() => _app.Dispose();
}

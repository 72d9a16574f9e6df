using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansVoucher.Api.Auth;
using OrleansVoucher.Api.Idempotency;
using OrleansVoucher.Api.Problems;
using OrleansVoucher.Api.Validation;
using OrleansVoucher.Grains;
using OrleansVoucher.Grains.BulkIssuance;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Silo;

namespace OrleansVoucher.Api.Bulk;

/// <summary>
/// Bulk issuance: an authority uploads a campaign's roster (directed trainees, or a general campaign's
/// targeted population) as CSV or NDJSON; the upload is read as it arrives and stored chunk by chunk,
/// then issued as a job that survives restarts. Jobs report progress and their rejected rows.
/// </summary>
public static class BulkEndpoints
{
    /// <summary>The media types of the two upload formats.</summary>
    public static readonly IReadOnlyList<string> UploadMediaTypes = ["text/csv", "application/x-ndjson"];

    /// <summary>How many jobs a listing gives when its <c>limit</c> is not set.</summary>
    public const int DefaultJobsListed = 20;

    /// <summary>The most jobs a listing gives.</summary>
    public const int MaxJobsListed = 100;

    /// <summary>Registers bulk issuance: the job runner and the upload limits (<c>Api:Bulk</c>, <c>BulkIssuance</c>).</summary>
    public static WebApplicationBuilder AddBulkIssuance(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<BulkUploadOptions>().BindConfiguration(BulkUploadOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        BulkIssuanceServiceCollectionExtensions.AddBulkIssuance(builder.Services);
        return builder;
    }

    /// <summary>Maps the upload and job endpoints under <paramref name="api"/>.</summary>
    public static IEndpointRouteBuilder MapBulkEndpoints(this IEndpointRouteBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var maxUpload = api.ServiceProvider.GetRequiredService<IOptions<BulkUploadOptions>>().Value.MaxUploadBytes;
        var group = api.MapGroup("").WithTags("Bulk issuance").RequireAuthorization(AuthPolicies.Authority);
        group.MapPost("/campaigns/{campaignId}/uploads", UploadAsync)
            .WithName("UploadRoster")
            .WithSummary("Uploads a roster (CSV or NDJSON) and starts a job that issues it; an Idempotency-Key seen before returns its job")
            .Accepts<string>("text/csv", "application/x-ndjson")
            .WithRequestBodyLimit(maxUpload, streamed: true)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/campaigns/{campaignId}/jobs", ListJobsAsync)
            .WithName("ListBulkJobs")
            .WithSummary("A campaign's jobs, newest first: up to limit (1 to 100, default 20) of those started before the job named by before")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/jobs/{jobId}", GetJobAsync)
            .WithName("GetBulkJob")
            .WithSummary("A job's status, counters, progress, rate and estimated time left")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/jobs/{jobId}/rejections", GetRejectionsAsync)
            .WithName("GetBulkJobRejections")
            .WithSummary("A job's rejected rows as CSV: row number, citizen id, code and reason")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/jobs/{jobId}/cancel", CancelAsync)
            .WithName("CancelBulkJob")
            .WithSummary("Cancels a job: rows not yet issued never will be")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    /// <summary>Reads the upload into stored chunks and queues the job; answers 202 with the job.</summary>
    public static async Task<Results<Accepted<BulkJobView>, ValidationProblem, ProblemHttpResult>> UploadAsync(
        string campaignId,
        string? institutionId,
        HttpContext context,
        AccessScope scope,
        IGrainFactory grains,
        IOptions<BulkIssuanceOptions> options,
        IBulkJobQueue queue,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(time);
        if (FormatOf(context.Request.ContentType) is not { } format)
        {
            return ApiProblems.Create(ProblemCodes.UnsupportedMediaType, StatusCodes.Status415UnsupportedMediaType, "Upload text/csv (with a header row) or application/x-ndjson (one JSON object per line).");
        }

        // The identifiers are checked as every endpoint checks them, before any grain is asked.
        var validation = new RequestValidation();
        var id = validation.CampaignId("campaignId", campaignId);
        var institution = string.IsNullOrWhiteSpace(institutionId) ? null : validation.InstitutionId("institutionId", institutionId);
        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        campaignId = id!;
        var campaign = await grains.GetGrain<ICampaignGrain>(campaignId).GetAsync();
        if (campaign is null)
        {
            return ApiProblems.Rejection(RejectionCode.CampaignNotFound, $"No campaign {campaignId}.");
        }

        if (!scope.CanActInRegion(campaign.Definition.RegionCode))
        {
            return ApiProblems.OutOfScope($"Campaign {campaignId} belongs to region {campaign.Definition.RegionCode}.");
        }

        var jobId = NewJobId();
        var headers = context.Request.Headers[IdempotencyKeys.HeaderName];
        if (headers.Count > 0)
        {
            if (headers.Count > 1 || !IdempotencyKeys.TryRead(headers[0], out var key))
            {
                return ApiProblems.Create(ProblemCodes.InvalidIdempotencyKey, StatusCodes.Status400BadRequest, "The Idempotency-Key header must be one value of 1 to 255 printable ASCII characters.");
            }

            var bound = await grains.GetGrain<IBulkUploadKeyGrain>(IdempotencyKeys.GrainKey(scope.Principal, $"uploads/{campaignId}/{key}")).BindAsync(jobId);
            if (bound != jobId && await grains.GetGrain<IBulkJobGrain>(bound).GetAsync() is { } existing)
            {
                context.Response.Headers[IdempotencyKeys.ReplayedHeaderName] = "true";
                return TypedResults.Accepted(JobLocation(bound), existing);
            }
        }

        var job = grains.GetGrain<IBulkJobGrain>(jobId);
        var request = new BulkJobRequest(campaignId, campaign.Definition.RegionCode, format, scope.Principal, institution);
        var chunkRows = options.Value.ChunkRows;
        var parser = new BulkRowParser(ChinaTime.DateOf(time.GetUtcNow()), campaign.Definition.IssuanceMode == IssuanceMode.Directed ? campaign.Definition.OccupationCode : null);
        var chunkCount = 0;
        var jobCreated = false;
        var reader = BulkUploadReader.ReadAsync(context.Request.Body, format, parser, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (reader.ConfigureAwait(false))
        {
            try
            {
                // The header and the first row are read before the job exists: an upload refused for
                // them (a wrong header, text that is not UTF-8) leaves no job behind.
                var more = await reader.MoveNextAsync();
                var created = await job.CreateAsync(request);
                if (!created.IsSuccess)
                {
                    return ApiProblems.Rejection(created);
                }

                jobCreated = true;
                var rows = new List<BulkRow>(chunkRows);
                var rejections = new List<BulkRejection>();
                Task<Result>? storing = null;
                for (; more; more = await reader.MoveNextAsync())
                {
                    var (row, rejection) = reader.Current;
                    if (row is not null)
                    {
                        rows.Add(row);
                    }
                    else
                    {
                        rejections.Add(rejection!);
                    }

                    if (rows.Count + rejections.Count == chunkRows)
                    {
                        // One chunk stored while the next is read: memory holds two chunks at most.
                        await EnsureStoredAsync(storing);
                        storing = job.AppendChunkAsync(chunkCount++, new BulkChunk(rows, rejections));
                        rows = new List<BulkRow>(chunkRows);
                        rejections = [];
                    }
                }

                await EnsureStoredAsync(storing);
                if (rows.Count + rejections.Count > 0)
                {
                    await EnsureStoredAsync(job.AppendChunkAsync(chunkCount++, new BulkChunk(rows, rejections)));
                }
            }
            catch (BulkUploadException exception)
            {
                await FailUploadAsync(job, jobCreated, exception.Message);
                return ApiProblems.Create(ProblemCodes.ValidationFailed, StatusCodes.Status400BadRequest, exception.Message);
            }
            catch (DecoderFallbackException)
            {
                await FailUploadAsync(job, jobCreated, "The upload is not UTF-8 text.");
                return ApiProblems.Create(ProblemCodes.ValidationFailed, StatusCodes.Status400BadRequest, "The upload is not UTF-8 text.");
            }
            catch (Exception exception) when (RequestBodyLimitMiddleware.IsBodyTooLarge(exception))
            {
                // Read as it arrived, the body passed the limit part way: the job fails, the request is 413.
                await FailUploadAsync(job, jobCreated, "The upload is larger than an upload may be; nothing was issued.");
                throw;
            }
            catch (Exception)
            {
                // The client went away or the body broke off: nothing of a partial upload is issued.
                await FailUploadAsync(job, jobCreated, "The upload did not arrive whole; nothing was issued.");
                throw;
            }
        }

        var sealedJob = await job.SealAsync(chunkCount);
        if (!sealedJob.IsSuccess)
        {
            return ApiProblems.Rejection(sealedJob);
        }

        queue.Kick();
        return TypedResults.Accepted(JobLocation(jobId), sealedJob.Value);
    }

    // A job refused before it was created has nothing to fail.
    private static Task FailUploadAsync(IBulkJobGrain job, bool created, string reason) =>
        created ? job.FailUploadAsync(reason) : Task.CompletedTask;

    /// <summary>
    /// A campaign's jobs, newest first, <paramref name="limit"/> at most; with <paramref name="before"/>, those
    /// started before that job, so that a client pages by passing the last job it was given.
    /// </summary>
    public static async Task<Results<Ok<IReadOnlyList<BulkJobView>>, ValidationProblem, ProblemHttpResult>> ListJobsAsync(
        string campaignId, string? limit, string? before, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(grains);
        var validation = new RequestValidation();
        var id = validation.CampaignId("campaignId", campaignId);
        var count = DefaultJobsListed;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxJobsListed))
        {
            validation.AddError("limit", $"Must be a whole number from 1 to {MaxJobsListed}.");
        }

        if (validation.HasErrors)
        {
            return validation.Problem();
        }

        var campaign = await grains.GetGrain<ICampaignGrain>(id!).GetAsync();
        if (campaign is null)
        {
            return ApiProblems.Rejection(RejectionCode.CampaignNotFound, $"No campaign {id}.");
        }

        if (!scope.CanActInRegion(campaign.Definition.RegionCode))
        {
            return ApiProblems.OutOfScope($"Campaign {id} belongs to region {campaign.Definition.RegionCode}.");
        }

        var ids = await grains.GetGrain<ICampaignJobsGrain>(id!).ListAsync();
        var next = ids.Count - 1;
        if (before is not null)
        {
            next = LastIndexOf(ids, before) - 1;
            if (next < -1)
            {
                validation.AddError("before", $"Is not a job of campaign {id}.");
                return validation.Problem();
            }
        }

        // A job whose creation broke off is listed without existing: it is passed over, and more are read.
        var jobs = new List<BulkJobView>(count);
        while (jobs.Count < count && next >= 0)
        {
            var batch = Math.Min(count - jobs.Count, next + 1);
            var views = await Task.WhenAll(Enumerable.Range(0, batch).Select(i => grains.GetGrain<IBulkJobGrain>(ids[next - i]).GetAsync()));
            jobs.AddRange(views.OfType<BulkJobView>());
            next -= batch;
        }

        return TypedResults.Ok<IReadOnlyList<BulkJobView>>(jobs);
    }

    /// <summary>The job.</summary>
    public static async Task<Results<Ok<BulkJobView>, ProblemHttpResult>> GetJobAsync(string jobId, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(grains);
        var view = await grains.GetGrain<IBulkJobGrain>(jobId).GetAsync();
        return Visible(view, scope) is { } problem ? problem : TypedResults.Ok(view!);
    }

    /// <summary>The job's rejected rows as CSV, streamed chunk by chunk.</summary>
    public static async Task<Results<EmptyHttpResult, ProblemHttpResult>> GetRejectionsAsync(string jobId, HttpContext context, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(grains);
        var job = grains.GetGrain<IBulkJobGrain>(jobId);
        if (Visible(await job.GetAsync(), scope) is { } problem)
        {
            return problem;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{jobId}-rejections.csv\"";
        var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false), 64 * 1024);
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteAsync("row_number,citizen_id,code,detail\n");
            int? next = 0;
            while (next is { } from)
            {
                var page = await job.GetRejectionsAsync(from, 8);
                foreach (var rejection in page.Rejections)
                {
                    await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{rejection.RowNumber},{Csv(rejection.CitizenId)},{Csv(rejection.Code)},{Csv(rejection.Detail)}\n"));
                }

                await writer.FlushAsync(cancellationToken);
                next = page.NextChunk;
            }
        }

        return TypedResults.Empty;
    }

    /// <summary>Cancels the job.</summary>
    public static async Task<Results<Ok<BulkJobView>, ProblemHttpResult>> CancelAsync(string jobId, AccessScope scope, IGrainFactory grains, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(grains);
        var job = grains.GetGrain<IBulkJobGrain>(jobId);
        if (Visible(await job.GetAsync(), scope) is { } problem)
        {
            return problem;
        }

        var cancelled = await job.CancelAsync();
        return cancelled.IsSuccess
            ? TypedResults.Ok(cancelled.Value!)
            : ApiProblems.Create("job-finished", StatusCodes.Status409Conflict, cancelled.Detail, "The job has finished");
    }

    private static ProblemHttpResult? Visible(BulkJobView? view, AccessScope scope) =>
        view is null ? ApiProblems.Create(ProblemCodes.NotFound, StatusCodes.Status404NotFound, "No such job.")
        : !scope.CanActInRegion(view.RegionCode) ? ApiProblems.OutOfScope($"The job's campaign belongs to region {view.RegionCode}.")
        : null;

    private static async Task EnsureStoredAsync(Task<Result>? storing)
    {
        if (storing is not null && await storing is { IsSuccess: false } refused)
        {
            throw new InvalidOperationException($"A chunk of the upload could not be stored: {refused.Rejection} {refused.Detail}");
        }
    }

    private static BulkFormat? FormatOf(string? contentType)
    {
        var mediaType = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        return mediaType switch
        {
            "text/csv" => BulkFormat.Csv,
            "application/x-ndjson" or "application/ndjson" or "application/jsonl" => BulkFormat.Ndjson,
            _ => null,
        };
    }

    private static int LastIndexOf(IReadOnlyList<string> ids, string id)
    {
        for (var i = ids.Count - 1; i >= 0; i--)
        {
            if (string.Equals(ids[i], id, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private static string JobLocation(string jobId) => $"/api/v1/jobs/{jobId}";

    /// <summary>A new job id: 16 characters of the voucher code alphabet from 80 random bits.</summary>
    private static string NewJobId()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return string.Create(16, random.ToArray(), static (chars, bytes) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = char.ToLowerInvariant(VoucherCode.Alphabet[bytes[i] & 31]);
            }
        });
    }

    private static string Csv(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}

using OrleansVoucher.Grains.Common;

namespace OrleansVoucher.Grains.Statistics;

/// <summary>
/// A campaign's indicators (R19), folded from its durable event stream. Each read folds the stream to
/// its end, so the figures include every committed change; the fold and its position are saved to
/// spare the next activation the refold. The saved fold is derived data: losing a race to save it is
/// harmless, and a recount from the first event always gives the same figures.
/// </summary>
[GrainType("campaign-statistics")]
internal sealed class CampaignStatisticsGrain : Grain, ICampaignStatisticsGrain
{
    private const int Page = 1000;

    private readonly GrainServices _services;
    private readonly TransactionalState<StatisticsFold> _state;

    public CampaignStatisticsGrain([PersistentState("statistics")] IPersistentState<StatisticsFold> state, IServiceProvider services)
    {
        _services = new GrainServices(services);
        _state = _services.Transactional(state);
    }

    private string CampaignId => this.GetPrimaryKeyString();

    public async Task<VoucherStatistics> GetAsync()
    {
        var start = _state.State.Position;
        var draft = await FoldAsync(_state.Draft());
        if (draft.Position != start)
        {
            try
            {
                await _state.WriteAsync(draft, []);
            }
            catch (InconsistentStateException)
            {
                // Another activation saved a fold meanwhile; this activation reloads on its next call.
            }
        }

        return draft.ToStatistics($"campaign/{CampaignId}", _services.Now);
    }

    public async Task<VoucherStatistics> RecountAsync() =>
        (await FoldAsync(new StatisticsFold())).ToStatistics($"campaign/{CampaignId}", _services.Now);

    private async Task<StatisticsFold> FoldAsync(StatisticsFold fold)
    {
        var stream = Streams.Campaign(CampaignId);
        while (true)
        {
            var page = await _services.Storage.ReadStreamAsync(stream, fold.Position, Page, CancellationToken.None);
            foreach (var stored in page)
            {
                fold.Apply(EventSerializer.Read(stored));
                fold.Position = stored.Sequence;
            }

            if (page.Count < Page)
            {
                return fold;
            }
        }
    }
}

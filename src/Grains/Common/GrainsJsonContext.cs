using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansVoucher.Grains.BulkIssuance;
using OrleansVoucher.Grains.Campaigns;
using OrleansVoucher.Grains.Catalogues;
using OrleansVoucher.Grains.Classes;
using OrleansVoucher.Grains.Events;
using OrleansVoucher.Grains.Institutions;
using OrleansVoucher.Grains.Regions;
using OrleansVoucher.Grains.Statistics;
using OrleansVoucher.Grains.Vouchers;
using OrleansVoucher.Grains.Workers;

namespace OrleansVoucher.Grains.Common;

/// <summary>
/// Generated JSON code for the grains' states and the domain events: what the silo's state serializer and
/// <see cref="EventSerializer"/> write these types with, instead of reflection (both still read by
/// reflection). The options are those of <see cref="JsonGrainStateSerializer.DefaultOptions"/> and of
/// the events as they were always written, so the stored JSON is the same byte for byte (pinned by a
/// test); a state type missing here still works, by reflection.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(DomainEvent))]
[JsonSerializable(typeof(VoucherState))]
[JsonSerializable(typeof(WorkerState))]
[JsonSerializable(typeof(CampaignState))]
[JsonSerializable(typeof(IssuerState))]
[JsonSerializable(typeof(RosterState))]
[JsonSerializable(typeof(InstitutionState))]
[JsonSerializable(typeof(CatalogueState))]
[JsonSerializable(typeof(RegionState))]
[JsonSerializable(typeof(ClassState))]
[JsonSerializable(typeof(ClassCounters))]
[JsonSerializable(typeof(TraineeState))]
[JsonSerializable(typeof(RosterPage))]
[JsonSerializable(typeof(StatisticsFold))]
[JsonSerializable(typeof(BulkJobState))]
[JsonSerializable(typeof(BulkJobRegistryState))]
[JsonSerializable(typeof(CampaignJobsState))]
[JsonSerializable(typeof(BulkUploadKeyState))]
[JsonSerializable(typeof(BulkChunkRowsState))]
[JsonSerializable(typeof(BulkChunkOutcomeState))]
internal sealed partial class GrainsJsonContext : JsonSerializerContext;

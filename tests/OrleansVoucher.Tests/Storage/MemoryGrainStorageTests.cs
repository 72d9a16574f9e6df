namespace OrleansVoucher.Tests.Storage;

/// <summary>The reference semantics, against which the SQL stores are held.</summary>
public sealed class MemoryGrainStorageTests : GrainStorageContractTests
{
    protected override Task<IGrainStorage> CreateStorageAsync() => Task.FromResult<IGrainStorage>(new MemoryGrainStorage());
}

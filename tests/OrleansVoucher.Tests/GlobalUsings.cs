global using OrleansVoucher.Silo;
global using OrleansVoucher.Silo.Storage;

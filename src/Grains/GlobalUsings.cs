global using OrleansVoucher.Silo;
global using OrleansVoucher.Silo.Storage;
global using OrleansVoucher.Silo.Transactions;

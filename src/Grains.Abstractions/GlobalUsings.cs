global using OrleansVoucher.Silo;

module example.com/payments/money

go 1.22

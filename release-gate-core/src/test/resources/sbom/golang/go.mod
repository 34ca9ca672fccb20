module example.com/payments/ledger

go 1.22

require (
	example.com/payments/money v0.0.0-00010101000000-000000000000
	github.com/google/uuid v1.6.0
	github.com/gorilla/mux v1.8.0
	github.com/shopspring/decimal v1.4.0
)

require github.com/google/go-querystring v1.1.0

require (
	github.com/inconshreveable/mousetrap v1.0.0 // indirect
	golang.org/x/crypto v0.39.0 // indirect
)

replace example.com/payments/money => ./money

replace github.com/inconshreveable/mousetrap v1.0.0 => github.com/inconshreveable/mousetrap v1.1.0

exclude github.com/gorilla/mux v1.7.0

//! The service layer behind "Mijn gegevens" and the overview, for the benchmark subject with
//! 2,000 records and 300 disclosures, on SQLite (and on PostgreSQL when
//! `INZAGE_BENCH_DATABASE_URL` names an empty database). Run: `cargo bench -p server --bench service`.
//! Figures are in docs/BENCHMARKS.md.

use criterion::{Criterion, criterion_group, criterion_main};
use server::{
    crypto::Vault,
    db,
    identity::Bsn,
    people,
    settings::Settings,
    transparency,
    transparency::{MyDataParams, Visibility},
};

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut backends = vec![(
        "sqlite",
        format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("bench.db").display()
        ),
    )];
    if let Ok(url) = std::env::var("INZAGE_BENCH_DATABASE_URL") {
        backends.push(("postgres", url));
    }
    for (name, url) in backends {
        let settings = Settings::default();
        let vault = Vault::new(&settings.secrets).expect("the dev keys");
        let (database, citizen) = runtime.block_on(async {
            let database = db::connect(&url).await.expect("the database");
            db::migrate(&database).await.expect("migrations");
            let bsn = server::demo::seed_scale(&database, &vault, 20)
                .await
                .expect("seeding")
                .expect("a benchmark subject");
            let bsn = Bsn::parse(&bsn).expect("an 11-proef BSN");
            let citizen = people::find_or_create_citizen(&database, &vault, &bsn, None)
                .await
                .expect("the subject");
            (database, citizen)
        });
        let visibility = Visibility { health: true };
        let first_view = MyDataParams::default();
        let mut group = c.benchmark_group(name);
        group.sample_size(30);
        group.bench_function("my_data_page (first view)", |b| {
            b.to_async(&runtime)
                .iter(|| transparency::my_data_page(&database, citizen, visibility, &first_view))
        });
        group.bench_function("my_data (all 2,000, for the downloads)", |b| {
            b.to_async(&runtime)
                .iter(|| transparency::my_data(&database, citizen, visibility))
        });
        group.bench_function("overview", |b| {
            b.to_async(&runtime)
                .iter(|| transparency::overview(&database, citizen, visibility))
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

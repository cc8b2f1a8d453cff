//! The service layer behind "Mijn gegevens", the overview and the access answer (built and as
//! PDF), for the benchmark subject with 2,000 records and 300 disclosures, and the privacy
//! officer's oversight view, on SQLite (and on PostgreSQL when
//! `INZAGE_BENCH_DATABASE_URL` names an empty database). Run: `cargo bench -p server --bench service`.
//! Figures are in docs/BENCHMARKS.md.

// A benchmark: a failed step should stop the run loudly, so unwrap is the point here.
#![allow(clippy::unwrap_used)]

use app::i18n::Locale;
use criterion::{Criterion, criterion_group, criterion_main};
use server::{
    config::Settings,
    identity::people,
    identity::{Bsn, StaffRole},
    oversight::toezicht,
    platform::crypto::Vault,
    platform::db,
    platform::pdf,
    rights::answers,
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
            let bsn = server::dev::demo::seed_scale(&database, &vault, 20)
                .await
                .expect("seeding")
                .expect("a benchmark subject");
            let bsn = Bsn::parse(&bsn).expect("an 11-proef BSN");
            let citizen = people::find_or_create_citizen(&database, &vault, &bsn, None)
                .await
                .expect("the subject");
            (database, citizen)
        });
        let request = runtime.block_on(granted_access_request(&database, &settings, citizen));
        let visibility = Visibility { health: true };
        let first_view = MyDataParams::default();
        let mut group = c.benchmark_group(name);
        group.sample_size(30);
        group.bench_function("my_data_page (first view)", |b| {
            b.to_async(&runtime)
                .iter(|| transparency::my_data_page(&database, citizen, visibility, &first_view));
        });
        group.bench_function("my_data (all 2,000, for the downloads)", |b| {
            b.to_async(&runtime)
                .iter(|| transparency::my_data(&database, citizen, visibility));
        });
        group.bench_function("overview", |b| {
            b.to_async(&runtime)
                .iter(|| transparency::overview(&database, citizen, visibility));
        });
        // What the handler's preview and the send step do: load, then build.
        let answer = || async {
            let input = answers::load(&database, &request).await.expect("loaded");
            answers::build(
                Locale::Nl,
                "Gemeente Voorbeeldstad",
                &request.reference,
                "2026-11-22",
                &input,
                &[],
            )
        };
        group.bench_function("access answer: load and build (2,000 records)", |b| {
            b.to_async(&runtime).iter(answer);
        });
        let answer = runtime.block_on(answer());
        group.bench_function("oversight view", |b| {
            b.to_async(&runtime)
                .iter(|| toezicht::view(&database, chrono::Utc::now()));
        });
        group.finish();
        if name == "sqlite" {
            // Typesetting does not touch the database: measured once.
            let mut typesetting = c.benchmark_group("pdf");
            typesetting.sample_size(10);
            typesetting.bench_function("access answer PDF (2,000 records)", |b| {
                b.iter(|| pdf::answer(&answer, Locale::Nl).expect("a PDF"));
            });
            typesetting.finish();
        }
    }
}

/// An access request for everything, filed and granted, as the handler's preview sees it.
async fn granted_access_request(
    database: &sea_orm::DatabaseConnection,
    settings: &Settings,
    citizen: i64,
) -> server::entities::rights_requests::Model {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use server::{
        entities::{request_items, rights_requests},
        rights::requests::{self, Command, Draft, ItemDecision, Kind, StaffActor},
    };
    let draft = Draft {
        kind: Kind::Access,
        for_child: None,
        all_data: true,
        items: Vec::new(),
        explanation: String::new(),
    };
    let reference = requests::submit(
        database,
        settings,
        citizen,
        Visibility { health: true },
        &requests::Filing {
            draft: &draft,
            token: "bench",
            locale: "nl",
            acting: None,
        },
        chrono::Utc::now(),
    )
    .await
    .expect("filed")
    .reference;
    let handler = StaffActor {
        id: people::staff_logged_in(
            database,
            &settings.staff_oidc.issuer_url,
            "bench-handler",
            "Bench",
            None,
            &[StaffRole::Handler],
        )
        .await
        .expect("a handler"),
        roles: vec![StaffRole::Handler],
    };
    let current = || async {
        rights_requests::Entity::find()
            .filter(rights_requests::Column::Reference.eq(reference.as_str()))
            .one(database)
            .await
            .expect("read")
            .expect("the request")
    };
    let act = |command: Command| async {
        let version = current().await.version;
        requests::act(
            database,
            settings,
            &handler,
            &reference,
            version,
            command,
            chrono::Utc::now(),
        )
        .await
        .expect("the step");
    };
    act(Command::Claim).await;
    let request = current().await;
    let decisions = request_items::Entity::find()
        .filter(request_items::Column::RequestId.eq(request.id))
        .all(database)
        .await
        .expect("items")
        .into_iter()
        .map(|i| ItemDecision {
            item_id: i.id,
            granted: true,
            ground: None,
            note: String::new(),
        })
        .collect();
    act(Command::Decide(
        decisions,
        String::new(),
        Default::default(),
    ))
    .await;
    current().await
}

criterion_group!(benches, bench);
criterion_main!(benches);

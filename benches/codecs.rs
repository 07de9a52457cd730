//! What storing the rendered `/all` page costs in each form, to choose by measurement:
//! the cache codec's candidates (zstd at levels 1 and 3, LZ4, none) — the time to
//! pack and unpack it, and its size — and the content codings a cached page is
//! stored in once for browsers (brotli, zstd, gzip at their stored levels).
//!
//! Run with `cargo bench --bench codecs`; sizes are printed before the times.
#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]

mod support;

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use pokedex::encoding::{Effort, Encoding};

fn codecs(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (router, _) = support::app(&runtime, dir.path(), |_| {});
    let (_, page) = runtime.block_on(support::get(&router, "/all"));

    let zstd = |level| zstd::bulk::compress(&page, level).expect("zstd");
    let packed = [
        ("zstd-1", zstd(1)),
        ("zstd-3", zstd(3)),
        ("lz4", lz4_flex::compress_prepend_size(&page)),
    ];
    eprintln!("/all page: {} bytes", page.len());
    for (name, bytes) in &packed {
        eprintln!("codec {name}: {} bytes", bytes.len());
    }
    let mut group = c.benchmark_group("codec");
    group.throughput(Throughput::Bytes(page.len() as u64));
    for level in [1, 3] {
        group.bench_function(BenchmarkId::new("pack", format!("zstd-{level}")), |b| {
            b.iter(|| zstd::bulk::compress(black_box(&page), level));
        });
    }
    group.bench_function(BenchmarkId::new("pack", "lz4"), |b| {
        b.iter(|| lz4_flex::compress_prepend_size(black_box(&page)));
    });
    for (name, bytes) in &packed[..2] {
        group.bench_function(BenchmarkId::new("unpack", name), |b| {
            b.iter(|| zstd::stream::decode_all(black_box(&bytes[..])));
        });
    }
    group.bench_function(BenchmarkId::new("unpack", "lz4"), |b| {
        b.iter(|| lz4_flex::decompress_size_prepended(black_box(&packed[2].1)));
    });
    group.bench_function(BenchmarkId::new("unpack", "none"), |b| {
        b.iter(|| black_box(&page).to_vec());
    });
    group.finish();

    let mut group = c.benchmark_group("coding");
    group.sample_size(10);
    for coding in Encoding::COMPRESSED {
        for effort in [Effort::Stored, Effort::PerRequest] {
            let size = coding
                .compress(&page, effort)
                .map_or(0, |bytes| bytes.len());
            eprintln!("{} {effort:?}: {size} bytes", coding.token());
            group.bench_function(
                BenchmarkId::new(coding.token(), format!("{effort:?}")),
                |b| {
                    b.iter(|| coding.compress(black_box(&page), effort));
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, codecs);
criterion_main!(benches);

/* gdl encode: a genotype cohort (VCF/BCF or plink) into a dataset .gdl. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gdl/core.h"
#include "gdl/genome.h"

static void usage(FILE *fp)
{
    fprintf(fp,
            "Usage: gdl encode [options] INPUT -o OUT.gdl\n"
            "       gdl encode [options] --plink PREFIX -o OUT.gdl\n\n"
            "Encodes a genotype cohort (VCF, VCF.gz or BCF, format detected; '-' = stdin) into a\n"
            "dataset: 2 bits per call in sample-major rows, one column per ALT allele (multi-\n"
            "allelic records are split), the variant catalog, sample IDs and labels. Symbolic\n"
            "ALTs and records without GT are skipped; every skip is counted on stderr.\n\n"
            "Options:\n"
            "  -o, --output FILE       the dataset to write (required)\n"
            "      --plink PREFIX      read PREFIX.bed/.bim/.fam (plink 1, SNP-major) instead\n"
            "  -r, --regions LIST      CHROM[:BEG[-END]],... (uses the .tbi/.csi index when there\n"
            "                          is one, else filters a sorted stream)\n"
            "  -R, --regions-file FILE CHROM[<tab>BEG<tab>END] per line, 1-based (0-based if *.bed)\n"
            "  -S, --samples FILE|LIST samples to keep: a file of IDs if FILE exists, else A,B,...\n"
            "  -e, --encoding NAME     dosage (ALT count), presence (carrier 0/1) or genotype\n"
            "                          (one-hot of 0/1/2); how batches expand the stored code [dosage]\n"
            "      --maf F             keep ALT alleles with minor allele frequency >= F [0]\n"
            "      --max-missing F     keep ALT alleles with missing-call fraction <= F [1]\n"
            "      --pass-only         keep records whose FILTER is PASS (or '.')\n"
            "      --snps-only         keep ALT alleles where REF and ALT are single bases\n"
            "      --keep FILE         keep only the variants listed (ID or CHROM:POS:REF:ALT)\n"
            "      --genes FILE        gene annotation, BED or GTF[.gz]: genes overlapping a variant\n"
            "      --gene-window BP    with --genes: else the nearest gene within BP [0]\n"
            "      --gene-tag TAG      gene from INFO/TAG (ANN, CSQ: their gene field)\n"
            "      --pheno FILE        labels: TSV with a header, sample ID in the first column\n"
            "      --pheno-col LIST    the label columns (binary 0/1 or case/control, numbers, or\n"
            "                          categories); several = several targets\n"
            "      --keep-missing      keep samples without a label (NaN) instead of dropping them\n"
            "  -@, --threads INT       2: read the input on a thread of its own; more: also decompress [1]\n"
            "  -v, --verbose           more messages on stderr\n"
            "  -q, --quiet             errors only (no summary)\n"
            "  -h, --help              this help\n\n"
            "Missing calls are stored as missing and filled when batches are built with the\n"
            "variant's mean over called genotypes.\n\n");
    cli_encode_seq_usage(fp);
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Sequence or numeric input: an option only that half has, or a FASTA/TSV/NPY input file.
 * Values of options that take one are skipped, so "--pheno x.tsv" does not count. */
static int wants_sequences(int argc, char *argv[])
{
    static const char *seq_opts[] = {"--bed", "--ref", "--task", "--shape", "--labels", "--window",
                                     "--rc", "--flank", "--stride", "--ids", "--name", "-l", "-n", "-w"};
    static const char *geno_valued[] = {"-o", "-r", "-R", "-S", "-e", "-@", "--output", "--plink",
                                        "--regions", "--regions-file", "--samples", "--encoding", "--maf",
                                        "--max-missing", "--keep", "--genes", "--gene-window",
                                        "--gene-tag", "--pheno", "--pheno-col", "--threads"};
    static const char *inputs[] = {".fa", ".fasta", ".fna", ".fa.gz", ".fasta.gz", ".fna.gz",
                                   ".tsv", ".tsv.gz", ".txt", ".npy"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] == '-' && a[1]) {
            size_t n = strcspn(a, "=");
            for (size_t k = 0; k < sizeof seq_opts / sizeof *seq_opts; k++)
                if (strlen(seq_opts[k]) == n && !strncmp(a, seq_opts[k], n)) return 1;
            for (size_t k = 0; k < sizeof geno_valued / sizeof *geno_valued; k++)
                if (!strcmp(a, geno_valued[k])) i++; // its value follows
            continue;
        }
        for (size_t k = 0; k < sizeof inputs / sizeof *inputs; k++)
            if (has_suffix(a, inputs[k])) return 1;
    }
    return 0;
}

enum { O_PLINK = 256, O_MAF, O_MAXMISS, O_PASS, O_SNPS, O_KEEP, O_GENES, O_WINDOW, O_TAG,
       O_PHENO, O_PHENOCOL, O_KEEPMISS };

int gdl_cmd_encode(int argc, char *argv[])
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"plink", required_argument, NULL, O_PLINK},
        {"regions", required_argument, NULL, 'r'}, {"regions-file", required_argument, NULL, 'R'},
        {"samples", required_argument, NULL, 'S'}, {"encoding", required_argument, NULL, 'e'},
        {"maf", required_argument, NULL, O_MAF}, {"max-missing", required_argument, NULL, O_MAXMISS},
        {"pass-only", no_argument, NULL, O_PASS}, {"snps-only", no_argument, NULL, O_SNPS},
        {"keep", required_argument, NULL, O_KEEP}, {"genes", required_argument, NULL, O_GENES},
        {"gene-window", required_argument, NULL, O_WINDOW}, {"gene-tag", required_argument, NULL, O_TAG},
        {"pheno", required_argument, NULL, O_PHENO}, {"pheno-col", required_argument, NULL, O_PHENOCOL},
        {"keep-missing", no_argument, NULL, O_KEEPMISS}, CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    gdl_encode_opts_t o = {.encoding = GDL_GENO_DOSAGE, .max_missing = 1};
    int c, r, k;
    long n;
    if (wants_sequences(argc, argv)) return gdl_cmd_encode_sequences(argc, argv);
    while ((c = getopt_long(argc, argv, "o:r:R:S:e:" CLI_COMMON_SHORTOPTS, longopts, NULL)) >= 0) {
        switch (c) {
        case 'h': usage(stdout); return EXIT_OK;
        case 'o': o.output = optarg; break;
        case O_PLINK: o.plink = optarg; break;
        case 'r': o.regions = optarg; break;
        case 'R': o.regions_file = optarg; break;
        case 'S': o.samples = optarg; break;
        case 'e':
            if ((k = gdl_geno_encoding_from_name(optarg)) < 0)
                return cli_usage_error("encode", usage, "--encoding: expected dosage, presence or "
                                       "genotype, got '%s'", optarg);
            o.encoding = (gdl_geno_encoding_t)k;
            break;
        case O_MAF:
            if (cli_parse_double(optarg, &o.maf) || o.maf < 0 || o.maf > 0.5)
                return cli_usage_error("encode", usage, "--maf: expected 0..0.5, got '%s'", optarg);
            break;
        case O_MAXMISS:
            if (cli_parse_double(optarg, &o.max_missing) || o.max_missing < 0 || o.max_missing > 1)
                return cli_usage_error("encode", usage, "--max-missing: expected 0..1, got '%s'", optarg);
            break;
        case O_PASS: o.pass_only = 1; break;
        case O_SNPS: o.snps_only = 1; break;
        case O_KEEP: o.keep = optarg; break;
        case O_GENES: o.genes = optarg; break;
        case O_WINDOW:
            if (cli_parse_long(optarg, &n) || n < 0)
                return cli_usage_error("encode", usage, "--gene-window: expected bp >= 0, got '%s'", optarg);
            o.gene_window = n;
            break;
        case O_TAG: o.gene_tag = optarg; break;
        case O_PHENO: o.pheno = optarg; break;
        case O_PHENOCOL: o.pheno_cols = optarg; break;
        case O_KEEPMISS: o.keep_missing = 1; break;
        default:
            if ((r = cli_common_option("encode", c, optarg)) < 0) return EXIT_USAGE;
            if (r == 0) return cli_usage_error("encode", usage, NULL);
        }
    }
    int nin = argc - optind;
    if (o.plink ? nin != 0 : nin != 1)
        return cli_usage_error("encode", usage, o.plink ? "--plink takes no INPUT argument"
                                                        : "expected one INPUT, got %d", nin);
    if (!o.plink) o.input = argv[optind];
    if (!o.output) return cli_usage_error("encode", usage, "-o OUT.gdl is required");
    if (o.pheno && !o.pheno_cols) return cli_usage_error("encode", usage, "--pheno needs --pheno-col");
    if (o.genes && o.gene_tag) return cli_usage_error("encode", usage, "--genes and --gene-tag exclude each other");
    if (o.plink && (o.regions || o.regions_file || o.pass_only || o.gene_tag))
        return cli_usage_error("encode", usage, "--regions, --pass-only and --gene-tag need a VCF/BCF input");
    if (cli_check_outputs("encode", 1, (const char *[]){o.output}) != EXIT_OK) return EXIT_RUNTIME;
    o.threads = gdl_threads_get();
    gdl_threads_set(1);
    gdl_encode_stats_t st;
    if (gdl_encode(&o, &st) != 0) return cli_runtime_error("encode");
    if (gdl_log_get_level() >= GDL_LOG_WARN) {
        fprintf(stderr,
                "gdl encode: %s: %" PRId64 " samples x %" PRId64 " columns; %" PRId64
                " records read, %" PRId64 " kept\n"
                "gdl encode: skipped records: %" PRId64 " without GT, %" PRId64 " without ALT, %"
                PRId64 " not PASS; skipped ALT alleles: %" PRId64 " symbolic, %" PRId64
                " not SNP, %" PRId64 " too many missing, %" PRId64 " below --maf, %" PRId64
                " not in --keep\n",
                o.output, st.samples, st.columns, st.records, st.kept_records, st.skip_no_gt,
                st.skip_no_alt, st.skip_filter, st.skip_symbolic, st.skip_not_snp,
                st.skip_missing, st.skip_maf, st.skip_keep);
        if (o.samples || o.pheno)
            fprintf(stderr, "gdl encode: samples: %" PRId64 " in the input, %" PRId64
                    " dropped without a label, %" PRId64 " pheno rows not in the input\n",
                    st.samples_in_input, st.samples_unlabelled, st.pheno_not_in_input);
    }
    if (st.genes_cut)
        gdl_log_warn("%s: %" PRId64 " variants lie in more genes than their 511-byte gene list holds: "
                     "the first whole names are kept", o.output, st.genes_cut);
    return EXIT_OK;
}

package org.workbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.workbench.net.Flatten;
import org.workbench.net.ModelFiles;
import org.workbench.net.Network;
import org.workbench.net.OnnxTestSupport;
import org.workbench.net.Relu;
import org.workbench.testing.RandomNets;

/** `workbench verify` on bad input: one line naming the file and place, exit code 2; and a good instance runs. */
class VerifyBadInputTest {
    @TempDir
    Path tmp;
    Path net;

    @BeforeEach
    void setUp() throws Exception {
        Random r = new Random(2);
        net = tmp.resolve("net.yaml");
        ModelFiles.save(new Network(new int[] {2}, List.of(RandomNets.linear(r, 2, 6), new Relu(), RandomNets.linear(r, 6, 3))), net, null);
    }

    private static final String GOOD = "(declare-const X_0 Real)\n(declare-const X_1 Real)\n"
            + "(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n(declare-const Y_2 Real)\n"
            + "(assert (<= X_0 0.6))\n(assert (>= X_0 0.4))\n(assert (<= X_1 0.6))\n(assert (>= X_1 0.4))\n"
            + "(assert (<= Y_0 Y_1))\n";

    private String run(int expected, String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8).strip();
        assertEquals(expected, code, text);
        return text;
    }

    private String fails(String vnnlib) throws Exception {
        Path spec = Files.writeString(tmp.resolve("p.vnnlib"), vnnlib);
        String e = run(2, "verify", net.toString(), spec.toString(), "--timeout", "5");
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains("p.vnnlib"), e);
        return e;
    }

    @Test
    void goodInstanceRunsAndWritesItsVerdict() throws Exception {
        Path spec = Files.writeString(tmp.resolve("p.vnnlib"), GOOD);
        Path out = tmp.resolve("out.txt");
        run(0, "verify", net.toString(), spec.toString(), "--timeout", "20", "--out", out.toString());
        String v = Files.readString(out);
        assertTrue(v.startsWith("unsat") || v.startsWith("sat") || v.startsWith("timeout"), v);
    }

    @Test
    void unknownCommand() throws Exception {
        assertTrue(fails(GOOD + "(check-sat)\n").contains(":11: unknown command 'check-sat'"));
    }

    @Test
    void unbalancedParentheses() throws Exception {
        assertTrue(fails(GOOD + "(assert (<= Y_1 Y_2)\n").contains("unbalanced parentheses"));
    }

    @Test
    void undeclaredVariable() throws Exception {
        assertTrue(fails(GOOD + "(assert (<= Y_0 Y_7))\n").contains("Y_7"));
    }

    @Test
    void shapeThatDoesNotMatchTheNetwork() throws Exception {
        String e = fails(GOOD.replace("(declare-const X_1 Real)\n", "").replace("(assert (<= X_1 0.6))\n(assert (>= X_1 0.4))\n", ""));
        assertTrue(e.contains("inputs"), e);
    }

    @Test
    void unsupportedOnnxOperator() throws Exception {
        Path onnx = Files.write(tmp.resolve("sig.onnx"), OnnxTestSupport.sigmoidModelBytes());
        Path spec = Files.writeString(tmp.resolve("p.vnnlib"), GOOD);
        String e = run(2, "verify", onnx.toString(), spec.toString());
        assertTrue(e.contains("sig.onnx") && e.contains("unsupported ONNX operator 'Sigmoid'") && e.lines().count() == 1, e);
    }

    private String presetFails(String... extra) throws Exception {
        Path spec = Files.writeString(tmp.resolve("p.vnnlib"), GOOD);
        String[] args = new String[3 + extra.length];
        args[0] = "verify";
        args[1] = net.toString();
        args[2] = spec.toString();
        System.arraycopy(extra, 0, args, 3, extra.length);
        String e = run(2, args);
        assertEquals(1, e.lines().count(), e);
        return e;
    }

    @Test
    void presetKeysAreChecked() throws Exception {
        String e = presetFails("--set", "gurobi=1");
        assertTrue(e.contains("gurobi") && e.contains("unknown key"), e);
        e = presetFails("--set", "refine_share=-0.1");
        assertTrue(e.contains("refine_share") && e.contains("between 0 and 1"), e);
        e = presetFails("--set", "split_phases=[{look_ahead: none, share: 0.7}, {look_ahead: all, share: 0.5}]");
        assertTrue(e.contains("share") && e.contains("sum to 1.2"), e);
        e = presetFails("--set", "branching=random");
        assertTrue(e.contains("branching") && e.contains("babsr") && e.contains("fsb"), e);
        e = presetFails("--set", "mip_backend=gurobi");
        assertTrue(e.contains("mip_backend") && e.contains("highs") && e.contains("scip"), e);
        e = presetFails("--set", "branching_candidates=0");
        assertTrue(e.contains("branching_candidates") && e.contains(">= 1"), e);
        e = presetFails("--set", "bab_lr_beta=0");
        assertTrue(e.contains("bab_lr_beta") && e.contains("> 0"), e);
        e = presetFails("--set", "split_choice=gradient");
        assertTrue(e.contains("split_choice") && e.contains("smear") && e.contains("coefficients"), e);
        e = presetFails("--solver", "pgd-linf");
        assertTrue(e.contains("--solver pgd-linf") && e.contains("bab"), e);
        e = presetFails("--solver", "no-such-preset");
        assertTrue(e.contains("no-such-preset"), e);
    }

    @Test
    void batchWritesItsSummaryBesideTheRows() throws Exception {
        Files.writeString(tmp.resolve("p.vnnlib"), GOOD);
        Path csv = Files.writeString(tmp.resolve("instances.csv"), "net.yaml,p.vnnlib,20\n");
        Path rows = tmp.resolve("out/rows.csv");
        run(0, "verify", "--instances", csv.toString(), "--results", rows.toString(), "--solver", "bab", "--set", "refine_seconds=0");
        String summary = Files.readString(tmp.resolve("out/rows.summary.txt"));
        assertTrue(summary.startsWith("1 instances: ") && summary.contains("median"), summary);
        assertEquals(2, Files.readAllLines(rows).size());
        // Run again: it resumes, says so, and counts only the rows of instances its file lists.
        Files.writeString(rows, "other.onnx,other.vnnlib,5,sat,1.000,attack\n", java.nio.file.StandardOpenOption.APPEND);
        String again = run(0, "verify", "--instances", csv.toString(), "--results", rows.toString(), "--solver", "bab", "--set", "refine_seconds=0");
        assertTrue(again.contains("resuming: 1 of 1 instances already have rows in"), again);
        assertTrue(Files.readString(tmp.resolve("out/rows.summary.txt")).startsWith("1 instances: "));
        assertEquals(3, Files.readAllLines(rows).size());
    }
}

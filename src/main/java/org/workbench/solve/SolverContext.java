package org.workbench.solve;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.workbench.net.Network;
import org.workbench.net.TorchNet;
import org.workbench.problem.Objective;
import org.workbench.problem.Threat;

/**
 * What every solver of one problem shares: the network (float64 master weights), its DJL copies in
 * float32 (for attacks) and float64 (for checks), the threat model and the attack objective. The DJL copies live on
 * the context's device (the problem's {@code device} key); tensors a solver makes from their managers follow them there.
 */
public final class SolverContext implements AutoCloseable {
    private final Network network;
    private final Threat threat;
    private final Objective objective;
    private final NDManager manager;
    private TorchNet net32;
    private TorchNet net64;

    /** On the CPU. */
    public SolverContext(Network network, Threat threat, Objective objective) {
        this(network, threat, objective, Device.cpu());
    }

    public SolverContext(Network network, Threat threat, Objective objective, Device device) {
        this.network = network;
        this.threat = threat;
        this.objective = objective;
        this.manager = NDManager.newBaseManager(device);
    }

    /**
     * A context whose float32 network is the given one, not a copy: a trainer's attack must see the weights as they
     * are updated. The network is not closed with the context; {@link #network()} and {@link #float64()} hold the
     * weights it was built with, so only float32 solvers (attacks' searches) see the updates.
     */
    public SolverContext(TorchNet net32, Threat threat, Objective objective) {
        this(net32.network(), threat, objective, net32.manager().getDevice());
        this.net32 = net32;
    }

    public Network network() {
        return network;
    }

    public Threat threat() {
        return threat;
    }

    public Objective objective() {
        return objective;
    }

    public Device device() {
        return manager.getDevice();
    }

    public NDManager manager() {
        return manager;
    }

    public synchronized TorchNet float32() {
        if (net32 == null) net32 = new TorchNet(network, manager, DataType.FLOAT32);
        return net32;
    }

    public synchronized TorchNet float64() {
        if (net64 == null) net64 = new TorchNet(network, manager, DataType.FLOAT64);
        return net64;
    }

    @Override
    public void close() {
        manager.close();
    }
}

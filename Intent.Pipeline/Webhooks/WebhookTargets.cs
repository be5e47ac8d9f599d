using System.Net;
using System.Net.Sockets;

namespace Intent.Pipeline.Webhooks;

/// <summary>
/// Where webhooks may be sent: https URLs whose host resolves only to public addresses, never to
/// loopback, private, link-local (cloud metadata at 169.254.169.254), shared (100.64/10), multicast or
/// otherwise reserved ones, in IPv4 or IPv6 (IPv4 inside IPv6 is judged as IPv4). Checked when a
/// webhook is saved and again on every connection the sender opens (<see cref="ConnectAsync"/>),
/// since a name may resolve elsewhere later. <c>Webhooks__AllowPrivateTargets</c> lifts both rules
/// and allows plain http, for tests and local use.
/// </summary>
public static class WebhookTargets
{
    public const int MaxUrlLength = 2048;

    public const string Refused = "must not point at a loopback, private, link-local, cloud-metadata or other non-public address";

    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The URL as a webhook stores it, or the sentence (after the field name) saying why it cannot be one.</summary>
    public static async Task<(Uri? Url, string? Problem)> CheckAsync(string? url, bool allowPrivate, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return (null, "is required");
        }

        if (url.Length > MaxUrlLength || url.Any(char.IsControl) || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return (null, $"must be an absolute https URL of at most {MaxUrlLength} characters");
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(allowPrivate && uri.Scheme == Uri.UriSchemeHttp))
        {
            return (null, "must be an https URL");
        }

        if (uri.UserInfo.Length > 0 || uri.HostNameType is UriHostNameType.Unknown || uri.Host.Length == 0)
        {
            return (null, "must name a host and hold no user name or password");
        }

        if (allowPrivate)
        {
            return (uri, null);
        }

        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(uri.DnsSafeHost, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or ArgumentException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, "has a host name that could not be resolved");
        }

        return addresses.Length > 0 && addresses.All(IsPublic) ? (uri, null) : (null, Refused);
    }

    /// <summary>
    /// Opens the sender's connections (a <see cref="SocketsHttpHandler.ConnectCallback"/>): resolves the
    /// host, refuses it unless every address is public, connects, and checks the address actually
    /// connected to once more.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(endpoint.Host, cancellationToken);
        if (!allowPrivate && (addresses.Length == 0 || !addresses.All(IsPublic)))
        {
            throw new WebhookTargetRefusedException();
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken);
            if (!allowPrivate && (socket.RemoteEndPoint is not IPEndPoint connected || !IsPublic(connected.Address)))
            {
                throw new WebhookTargetRefusedException();
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Whether an address is on the public internet (globally routable unicast).</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => IsPublicV4(b),
            AddressFamily.InterNetworkV6 => IsPublicV6(b),
            _ => false,
        };
    }

    private static bool IsPublicV4(byte[] b) => !(
        b[0] is 0 or 10 or 127 or >= 224                        // this network, private, loopback; multicast, reserved, broadcast
        || (b[0] == 100 && (b[1] & 0xC0) == 64)                 // shared address space 100.64/10 (carrier NAT, some cloud metadata)
        || (b[0] == 169 && b[1] == 254)                         // link-local, cloud metadata 169.254.169.254
        || (b[0] == 172 && (b[1] & 0xF0) == 16)                 // private 172.16/12
        || (b[0] == 192 && b[1] == 168)                         // private 192.168/16
        || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)         // IETF protocol assignments, documentation
        || (b[0] == 192 && b[1] == 88 && b[2] == 99)            // 6to4 relay anycast
        || (b[0] == 198 && (b[1] & 0xFE) == 18)                 // benchmarking 198.18/15
        || (b[0] == 198 && b[1] == 51 && b[2] == 100)           // documentation
        || (b[0] == 203 && b[1] == 0 && b[2] == 113));          // documentation

    private static bool IsPublicV6(byte[] b)
    {
        // 6to4 (2002::/16) carries an IPv4 address: judge that one.
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsPublicV4(b[2..6]);
        }

        return (b[0] & 0xE0) == 0x20                            // global unicast 2000::/3 only: no loopback, ULA (fc00::/7), link-local, multicast, NAT64
            && !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00)   // Teredo
            && !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)   // documentation
            && !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && (b[3] & 0xF0) == 0x10); // ORCHID
    }

    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var name = host.TrimStart('[').TrimEnd(']');
        if (IPAddress.TryParse(name, out var literal))
        {
            return [literal];
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ResolveTimeout);
        return await Dns.GetHostAddressesAsync(name, timeout.Token);
    }
}

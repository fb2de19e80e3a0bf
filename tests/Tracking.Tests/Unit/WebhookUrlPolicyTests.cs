using System.Net;
using Tracking.Grains.Webhooks;

namespace Tracking.Tests.Unit;

public class WebhookUrlPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.0.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("100.128.0.1", false)]
    [InlineData("224.0.0.251", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("93.184.216.34", false)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd00:ec2::254", true)]
    [InlineData("ff02::1", true)]
    [InlineData("::ffff:192.168.1.1", true)]
    [InlineData("2002:c0a8:0101::1", true)]
    [InlineData("2606:4700::1111", false)]
    [InlineData("::a00:1", true)]
    [InlineData("::ffff:8.8.8.8", true)]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", true)]
    [InlineData("100::1", true)]
    [InlineData("192.88.99.1", true)]
    [InlineData("192.88.100.1", false)]
    public void Internal_addresses_are_recognised(string address, bool isInternal) =>
        Assert.Equal(isInternal, WebhookUrlPolicy.IsInternal(IPAddress.Parse(address)));
}
